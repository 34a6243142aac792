/**
 * Collects concurrent inbound messages into batches, one account's at a time, so each batch costs
 * one transaction: under load, a transaction's begin and commit cost more than its statements. The
 * first message starts a batch on the next turn of the event loop; messages arriving meanwhile, or
 * while the account's previous batch is being written, join the next one, up to `cap`. A batch takes
 * one message per `key` (sender and number): the messages of one contact to one sender share a
 * transaction's timestamp otherwise, and the later waits for the next batch to stay later.
 */
export class Batches<Item, Result> {
  readonly #pending = new Map<string, Array<Waiting<Item, Result>>>()
  readonly #write: (account: string, items: Item[]) => Promise<Array<PromiseSettledResult<Result>>>
  readonly #keyOf: (item: Item) => string
  readonly #cap: number

  constructor(options: {
    write: (account: string, items: Item[]) => Promise<Array<PromiseSettledResult<Result>>>
    keyOf: (item: Item) => string
    cap: number
  }) {
    this.#write = options.write
    this.#keyOf = options.keyOf
    this.#cap = options.cap
  }

  /** Settles with the item's own result once its batch has committed (or its own retry has). */
  add(account: string, item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      const queue = this.#pending.get(account)
      if (queue) {
        queue.push({ item, resolve, reject })
        return
      }
      this.#pending.set(account, [{ item, resolve, reject }])
      setImmediate(() => void this.#drain(account))
    })
  }

  async #drain(account: string): Promise<void> {
    const queue = this.#pending.get(account)!
    while (queue.length > 0) {
      const batch = this.#take(queue)
      let results: Array<PromiseSettledResult<Result>>
      try {
        results = await this.#write(
          account,
          batch.map((waiting) => waiting.item)
        )
      } catch (error) {
        results = batch.map(() => ({ status: 'rejected', reason: error }))
      }
      batch.forEach((waiting, index) => {
        const result = results[index]!
        if (result.status === 'fulfilled') waiting.resolve(result.value)
        else waiting.reject(result.reason)
      })
    }
    this.#pending.delete(account)
  }

  /** Takes up to cap waiting items in arrival order, one per key; the rest keep their order. */
  #take(queue: Array<Waiting<Item, Result>>): Array<Waiting<Item, Result>> {
    const keys = new Set<string>()
    const batch: Array<Waiting<Item, Result>> = []
    const rest: Array<Waiting<Item, Result>> = []
    for (const waiting of queue) {
      const key = this.#keyOf(waiting.item)
      if (batch.length === this.#cap || keys.has(key)) rest.push(waiting)
      else {
        keys.add(key)
        batch.push(waiting)
      }
    }
    queue.splice(0, queue.length, ...rest)
    return batch
  }
}

interface Waiting<Item, Result> {
  item: Item
  resolve: (result: Result) => void
  reject: (reason: unknown) => void
}
