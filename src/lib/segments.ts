export type Encoding = 'GSM-7' | 'UCS-2'

export interface SegmentCount {
  encoding: Encoding
  segments: number
  /** Unicode code points, as a person would count them (an emoji is one). */
  characters: number
  /** What the carrier counts: septets for GSM-7 (an extension character is two), UTF-16 code units for UCS-2. */
  units: number
}

export interface SplitText {
  encoding: Encoding
  parts: string[]
}

// The GSM 03.38 basic character set, without the escape code 0x1B that introduces the extension table.
const GSM_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
  )
)

// Characters of the extension table: each is sent as an escape plus a septet, so it costs two.
const GSM_EXTENSION = new Set(Array.from('\f^{}\\[~]|€'))

// A concatenated part gives up 7 septets (GSM-7) or 3 code units (UCS-2) to its User Data Header.
const CAPACITY: Record<Encoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 }
}

interface Measured {
  encoding: Encoding
  characters: string[]
  widths: number[]
  units: number
}

function measure(text: string): Measured {
  const characters = Array.from(text)
  const isGsm = characters.every((character) => GSM_BASIC.has(character) || GSM_EXTENSION.has(character))
  const widths = isGsm
    ? characters.map((character) => (GSM_EXTENSION.has(character) ? 2 : 1))
    : characters.map((character) => character.length)
  return {
    encoding: isGsm ? 'GSM-7' : 'UCS-2',
    characters,
    widths,
    units: widths.reduce((sum, width) => sum + width, 0)
  }
}

/**
 * Where each part starts, packing characters greedily. A character never straddles two parts, so
 * an escape sequence or a surrogate pair that does not fit in what is left of a part starts the
 * next one, as carriers do; that can make a message one part longer than units / capacity.
 */
function partStarts({ encoding, widths, units }: Measured): number[] {
  const { single, part } = CAPACITY[encoding]
  if (units <= single) return [0]
  const starts = [0]
  let used = 0
  widths.forEach((width, index) => {
    if (used + width > part) {
      starts.push(index)
      used = 0
    }
    used += width
  })
  return starts
}

/** Parley's length limit for one message (MSG-007): longer texts are refused rather than sent. */
export const MAX_SEGMENTS = 10

/** MSG-007's reason when a message takes more parts than MAX_SEGMENTS, else undefined. */
export function overLengthLimit(segments: number): string | undefined {
  return segments > MAX_SEGMENTS ? `Message too long: ${segments} segments, at most ${MAX_SEGMENTS}` : undefined
}

/** Counts the parts a carrier bills for the text. An empty text still takes one part. */
export function countSegments(text: string): SegmentCount {
  const measured = measure(text)
  return {
    encoding: measured.encoding,
    segments: partStarts(measured).length,
    characters: measured.characters.length,
    units: measured.units
  }
}

/** The text of each part, as a carrier adapter submits a concatenated message. */
export function splitSegments(text: string): SplitText {
  const measured = measure(text)
  const starts = partStarts(measured)
  const parts = starts.map((start, index) => measured.characters.slice(start, starts[index + 1]).join(''))
  return { encoding: measured.encoding, parts }
}
