/**
 * Values computed from what a provider answered, kept from one poll to the next: most of an
 * instance list is the same at every poll (a stop time, a host name), so its derived values can be too.
 * Bounded: {@link PollMemo.rotate} at the end of a poll drops every value the poll did not use.
 */
export class PollMemo<K, V> {
  #previous = new Map<K, V>()
  #current = new Map<K, V>()

  /** The value for `key`, computed by `compute` unless this poll or the previous one already did. */
  get (key: K, compute: (key: K) => V): V {
    let value = this.#current.get(key)
    if (value !== undefined || this.#current.has(key)) return value as V
    value = this.#previous.has(key) ? this.#previous.get(key) as V : compute(key)
    this.#current.set(key, value)
    return value
  }

  /** A poll ended: keep what it used, drop the rest. */
  rotate (): void {
    this.#previous = this.#current
    this.#current = new Map()
  }

  /** Values held (this poll's and the previous one's that this poll has not used yet). */
  get size (): number {
    let size = this.#current.size
    for (const key of this.#previous.keys()) if (!this.#current.has(key)) size++
    return size
  }
}
