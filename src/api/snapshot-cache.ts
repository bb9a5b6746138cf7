import type { Aggregator } from '../core/aggregator.js'

/** Bodies kept per snapshot at most (one per distinct query). */
const MAX_ENTRIES = 64

/**
 * Memoizes response bodies derived from the aggregator's current snapshot (serialized JSON) as
 * `Buffer`s, the bytes a socket takes without another encoding. The snapshot object is replaced
 * on every poll, so an entry is valid exactly as long as the snapshot it was computed from; scrapers and
 * dashboards between two polls reuse it, and a hit is answered synchronously.
 */
export class SnapshotCache {
  readonly #aggregator: Aggregator
  #snapshot: object | null = null
  readonly #values = new Map<string, Buffer>()
  readonly #computing = new Map<string, Promise<Buffer>>()

  constructor (aggregator: Aggregator) {
    this.#aggregator = aggregator
  }

  /**
   * The body for `key` under the current snapshot, computed once (concurrent callers share the
   * computation). Between polls it is ready and returned as is — no promise on the hot path; a Fastify
   * handler can return either form.
   */
  body (key: string, compute: () => string | Promise<string>): Buffer | Promise<Buffer> {
    this.#sync()
    const ready = this.#values.get(key)
    if (ready) return ready
    let pending = this.#computing.get(key)
    if (!pending) {
      const snapshot = this.#snapshot
      pending = (async () => Buffer.from(await compute()))()
      this.#computing.set(key, pending)
      pending.then((body) => {
        if (this.#snapshot !== snapshot) return // computed from a snapshot that has been replaced
        if (this.#values.size >= MAX_ENTRIES) this.#values.delete(this.#values.keys().next().value!)
        this.#values.set(key, body)
      }, () => {}).finally(() => { if (this.#computing.get(key) === pending) this.#computing.delete(key) })
    }
    return pending
  }

  #sync (): void {
    const snapshot = this.#aggregator.snapshot
    if (snapshot === this.#snapshot) return
    this.#snapshot = snapshot
    this.#values.clear()
    this.#computing.clear()
  }
}
