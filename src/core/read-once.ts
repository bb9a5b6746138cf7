/**
 * Values read once (from the store) and then kept in memory, by key. Callers that ask while the first
 * read runs share it, so two first reads cannot make two copies of which one is later lost; a failed
 * read is forgotten, so the next call reads again.
 */
export class ReadOnce<V> {
  readonly #values = new Map<string, Promise<V>>()

  /** The value of `key`: `read()`'s result, from the first call that asked for it. @throws what `read` throws. */
  async get (key: string, read: () => Promise<V>): Promise<V> {
    let value = this.#values.get(key)
    if (value === undefined) {
      const reading = read()
      value = reading
      this.#values.set(key, reading)
      reading.catch(() => { if (this.#values.get(key) === reading) this.#values.delete(key) })
    }
    return await value
  }
}
