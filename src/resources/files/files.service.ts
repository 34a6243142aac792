import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { fileTypeFromBuffer } from 'file-type'
import type { SharedFileLimits } from '../../config.ts'
import type { Db, DbOrTx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import {
  findSharedFile,
  insertSharedFile,
  lockAccountFiles,
  readSharedFileSlice,
  storedBytes
} from './files.repository.ts'
import type { ShareFileResultShape } from './files.schemas.ts'
import type { SharedFileRow } from './files.table.ts'

// What carriers commonly take as MMS media: images, audio, video, vCards and PDF.
const MMS_TYPES = /^(image\/(jpeg|png|gif|bmp|webp|tiff)|audio\/[\w.+-]+|video\/[\w.+-]+|application\/pdf|text\/vcard)$/

/** The file's type as its bytes tell it; a declared Content-Type is never trusted. */
async function sniff(bytes: Buffer): Promise<{ mime: string; ext: string } | undefined> {
  const detected = await fileTypeFromBuffer(bytes)
  if (detected) return { mime: detected.mime, ext: detected.ext }
  // vCards are text, which file-type may not claim: recognise the card's own first line.
  if (/^\uFEFF?\s*BEGIN:VCARD\b/i.test(bytes.subarray(0, 64).toString('utf8')))
    return { mime: 'text/vcard', ext: 'vcf' }
  return undefined
}

async function readLimited(source: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of source) {
    size += chunk.length
    if (size > maxBytes) throw new ApiError('FILE-002', `The file is larger than ${maxBytes} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/**
 * POST /v1/tools/sharefile: stores the file in the database, so any instance serves its link. The
 * account's unexpired files may hold at most limits.quotaBytes; the sum is read and the file written
 * under a per-account lock, so concurrent uploads cannot overshoot it (test/resources/files-limits.test.ts).
 */
export async function shareFile(
  db: Db,
  accountId: string,
  source: AsyncIterable<Buffer>,
  context: { limits: SharedFileLimits; baseUrl: string; actor: ActorShape }
): Promise<ShareFileResultShape> {
  const { limits } = context
  const bytes = await readLimited(source, limits.maxBytes)
  if (bytes.length === 0) throw new ApiError('FILE-003', 'The file is empty')
  const type = await sniff(bytes)
  if (!type || !MMS_TYPES.test(type.mime))
    throw new ApiError(
      'FILE-001',
      `The file is ${type?.mime ?? 'of no recognised type'}; carriers take images (JPEG, PNG, GIF, BMP, WebP, TIFF), audio, video, vCards and PDF`
    )
  const token = randomBytes(32).toString('base64url')
  const expiresAt = new Date(Date.now() + limits.ttlSeconds * 1000)
  await db.transaction().execute(async (tx) => {
    await lockAccountFiles(tx, accountId)
    const used = await storedBytes(tx, accountId)
    if (used + bytes.length > limits.quotaBytes)
      throw new ApiError(
        'FILE-006',
        `The account's shared files hold ${used} of ${limits.quotaBytes} bytes; this file (${bytes.length} bytes) does not fit until older ones expire`
      )
    await insertSharedFile(
      tx,
      accountId,
      { token, contentType: type.mime, extension: type.ext, bytes, expiresAt },
      context.actor
    )
  })
  return { link: `${context.baseUrl}/files/${token}`, expires: expiresAt.toISOString() }
}

/** The file behind a link: FILE-004 for no such link, FILE-005 once it has expired (before housekeeping removes it). */
export async function sharedFile(db: DbOrTx, token: string): Promise<SharedFileRow> {
  const file = await findSharedFile(db, token)
  if (!file) throw new ApiError('FILE-004')
  if (file.expires_at <= new Date()) throw new ApiError('FILE-005')
  return file
}

// Each slice is one short query. At 64 KiB a download holds about 200 KiB at a time (two slices and
// the driver's text of one) against the whole file before; scripts/bench/file-downloads.ts measures
// the server's memory and CPU with many downloads at once.
const SLICE_BYTES = 64 * 1024

/**
 * The file's bytes, read slice by slice as the client takes them, the next slice's query under way
 * while the current one is written: a slow reader holds two slices, and a pooled connection only
 * for each slice's query. A file removed part way through (housekeeping) ends the stream with an
 * error, which cuts the response short of its Content-Length.
 */
export function sharedFileContent(db: DbOrTx, file: SharedFileRow, sliceBytes = SLICE_BYTES): Readable {
  let requested = 0
  const fetchNext = (): Promise<Buffer> | undefined => {
    if (requested >= file.size) return undefined
    const offset = requested
    const length = Math.min(sliceBytes, file.size - offset)
    requested += length
    return readSharedFileSlice(db, file.token, offset, length).then((slice) => {
      if (!slice || slice.length !== length) throw new Error('the shared file was removed while being read')
      return slice
    })
  }
  let next = fetchNext()
  // A slice read ahead that is never awaited (the client went away) must not fail unhandled.
  void next?.catch(() => {})
  return new Readable({
    highWaterMark: sliceBytes,
    read() {
      const current = next
      if (!current) {
        this.push(null)
        return
      }
      current.then(
        (slice) => {
          next = fetchNext()
          void next?.catch(() => {})
          this.push(slice)
        },
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error)))
      )
    }
  })
}

// Rendered in place only where a browser cannot run script from them; PDF and vCards download.
const INLINE_TYPES = /^(image\/(jpeg|png|gif|bmp|webp|tiff)|audio\/[\w.+-]+|video\/[\w.+-]+)$/

/**
 * How a browser is to treat the file. Images, audio and video (what carriers take as MMS media) are
 * shown inline; anything else is an attachment, named by the link's token and the recognised type's
 * extension, both drawn from [A-Za-z0-9_-], so the header needs no quoting rules.
 */
export function contentDisposition(file: SharedFileRow): string {
  const disposition = INLINE_TYPES.test(file.content_type) ? 'inline' : 'attachment'
  const name = `${file.token.slice(0, 12)}.${/^[a-z0-9]{1,8}$/i.test(file.extension) ? file.extension : 'bin'}`
  return `${disposition}; filename="${name}"`
}
