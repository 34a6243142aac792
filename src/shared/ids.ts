import { randomFillSync } from 'node:crypto'

// Random bytes are drawn 4 KiB at a time: one call per 512 ids instead of one per id (a request
// takes one for its request id, and a call into the random source costs more than the id).
const pool = Buffer.alloc(4096)
let used = pool.length

// 24 hex characters: 8 of seconds since the epoch, then 16 random. Time-ordered ids keep
// b-tree inserts at the right edge of the index; the random part makes them unguessable enough
// that a foreign id is just "not found".
export function newId(): string {
  if (used === pool.length) {
    randomFillSync(pool)
    used = 0
  }
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0')
  used += 8
  return seconds + pool.toString('hex', used - 8, used)
}
