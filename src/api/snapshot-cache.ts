import type { Aggregator } from '../core/aggregator.js'

/** Bodies kept per snapshot at most (one per distinct query). */
const MAX_ENTRIES = 64

/**
 * Memoizes values derived from the aggregator's current snapshot (serialized response bodies,
 * metrics text). The snapshot object is replaced on every poll, so an entry is valid exactly as long
 * as the snapshot it was computed from; scrapers and dashboards between two polls reuse it.
 */
export class SnapshotCache {
  readonly #aggregator: Aggregator
  #snapshot: object | null = null
  #values = new Map<string, Promise<string>>()

  constructor (aggregator: Aggregator) {
    this.#aggregator = aggregator
  }

  /** The value for `key` under the current snapshot, computing it once. */
  get (key: string, compute: () => string | Promise<string>): Promise<string> {
    const snapshot = this.#aggregator.snapshot
    if (snapshot !== this.#snapshot) {
      this.#snapshot = snapshot
      this.#values.clear()
    }
    let value = this.#values.get(key)
    if (value === undefined) {
      value = Promise.resolve().then(compute)
      if (this.#values.size >= MAX_ENTRIES) this.#values.delete(this.#values.keys().next().value!)
      this.#values.set(key, value)
      value.catch(() => this.#values.delete(key))
    }
    return value
  }
}
