import PQueue from 'p-queue'

/**
 * Tasks in order per key, tasks of different keys side by side (one p-queue of concurrency 1 per key).
 *
 * The cost ledger and the GPU history keep one store key per provider entry and update it after each
 * poll. One queue for all entries made every entry's write wait for the previous entry's: with the file
 * store, 200 accounts meant 200 whole-file writes after each poll cycle. Side by side, the writes of
 * entries whose polls end together share one file write (the file store's group commit), while each
 * entry's read-change-write still runs in order.
 */
export class KeyedQueue {
  readonly #queues = new Map<string, PQueue>()

  /** Run `task` after every task added before under `key`; resolves or rejects as it does. */
  async add<T> (key: string, task: () => Promise<T>): Promise<T> {
    let queue = this.#queues.get(key)
    if (queue === undefined) {
      queue = new PQueue({ concurrency: 1 })
      this.#queues.set(key, queue)
    }
    try {
      return await queue.add(task)
    } finally {
      // An idle key's queue goes (an entry removed from the config leaves nothing behind).
      if (queue.size === 0 && queue.pending === 0 && this.#queues.get(key) === queue) this.#queues.delete(key)
    }
  }

  /** Keys with a task waiting or running. */
  get busyKeys (): number {
    return this.#queues.size
  }

  /** Resolves once every task added so far has finished. */
  async onIdle (): Promise<void> {
    await Promise.all([...this.#queues.values()].map(async queue => await queue.onIdle()))
  }
}
