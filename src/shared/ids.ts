import { randomBytes } from 'node:crypto'

// 24 hex characters: 8 of seconds since the epoch, then 16 random. Time-ordered ids keep
// b-tree inserts at the right edge of the index; the random part makes them unguessable enough
// that a foreign id is just "not found".
export function newId(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0')
  return seconds + randomBytes(8).toString('hex')
}
