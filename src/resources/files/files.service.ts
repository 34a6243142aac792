import { randomBytes } from 'node:crypto'
import { fileTypeFromBuffer } from 'file-type'
import type { SharedFileLimits } from '../../config.ts'
import type { DbOrTx } from '../../db/database.ts'
import { ApiError } from '../../errors/api-error.ts'
import type { ActorShape } from '../../shared/schemas.ts'
import { findSharedFile, insertSharedFile } from './files.repository.ts'
import type { ShareFileResultShape } from './files.schemas.ts'
import type { SharedFileRow } from './files.table.ts'

// What carriers commonly take as MMS media: images, audio, video, vCards and PDF.
const MMS_TYPES = /^(image\/(jpeg|png|gif|bmp|webp|tiff)|audio\/[\w.+-]+|video\/[\w.+-]+|application\/pdf|text\/vcard)$/

/** The file's type as its bytes tell it; a declared Content-Type is never trusted. */
async function sniff(bytes: Buffer): Promise<string | undefined> {
  const detected = await fileTypeFromBuffer(bytes)
  if (detected) return detected.mime
  // vCards are text, which file-type may not claim: recognise the card's own first line.
  if (/^\uFEFF?\s*BEGIN:VCARD\b/i.test(bytes.subarray(0, 64).toString('utf8'))) return 'text/vcard'
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

/** POST /v1/tools/sharefile: stores the file in the database, so any instance serves its link. */
export async function shareFile(
  db: DbOrTx,
  accountId: string,
  source: AsyncIterable<Buffer>,
  context: { limits: SharedFileLimits; baseUrl: string; actor: ActorShape }
): Promise<ShareFileResultShape> {
  const bytes = await readLimited(source, context.limits.maxBytes)
  if (bytes.length === 0) throw new ApiError('FILE-003', 'The file is empty')
  const contentType = await sniff(bytes)
  if (!contentType || !MMS_TYPES.test(contentType))
    throw new ApiError(
      'FILE-001',
      `The file is ${contentType ?? 'of no recognised type'}; carriers take images (JPEG, PNG, GIF, BMP, WebP, TIFF), audio, video, vCards and PDF`
    )
  const token = randomBytes(32).toString('base64url')
  const expiresAt = new Date(Date.now() + context.limits.ttlSeconds * 1000)
  await insertSharedFile(db, accountId, { token, contentType, bytes, expiresAt }, context.actor)
  return { link: `${context.baseUrl}/files/${token}`, expires: expiresAt.toISOString() }
}

/** The file behind a link: FILE-004 for no such link, FILE-005 once it has expired (before housekeeping removes it). */
export async function sharedFile(db: DbOrTx, token: string): Promise<SharedFileRow> {
  const file = await findSharedFile(db, token)
  if (!file) throw new ApiError('FILE-004')
  if (file.expires_at <= new Date()) throw new ApiError('FILE-005')
  return file
}
