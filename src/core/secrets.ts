/**
 * Every secret value the host knows at run time (provider tokens, password hashes, the bot token,
 * API keys), so that any text leaving the process — a log line, an error message in the API or the
 * bot — can be scrubbed of them. This is the second line of defence; the first is never putting a
 * secret into a message in the first place.
 */
export class SecretRegistry {
  /** Values shorter than this are not registered: they would blank out ordinary words. */
  static readonly MIN_LENGTH = 6
  static readonly MASK = '[redacted]'

  #values = new Set<string>()
  #sorted: string[] = []

  /** Remember `value` (and its JSON-escaped form) as secret. Null, undefined and short values are ignored. */
  add (value: string | null | undefined): void {
    if (value == null || value.length < SecretRegistry.MIN_LENGTH) return
    const escaped = JSON.stringify(value).slice(1, -1)
    const before = this.#values.size
    this.#values.add(value)
    this.#values.add(escaped)
    if (this.#values.size !== before) {
      // Longest first, so a secret that contains another is replaced whole.
      this.#sorted = [...this.#values].sort((a, b) => b.length - a.length)
    }
  }

  /** Remember the password (and user) inside a URL such as `redis://:pass@host` or `http://user:pass@proxy`. */
  addUrlCredentials (url: string | null | undefined): void {
    if (!url) return
    try {
      const parsed = new URL(url)
      this.add(decodeURIComponent(parsed.password))
      if (parsed.password) this.add(decodeURIComponent(parsed.username))
    } catch { /* not a URL: nothing to remember */ }
  }

  /** Forget a value, e.g. a token that was replaced. */
  delete (value: string | null | undefined): void {
    if (value == null) return
    const escaped = JSON.stringify(value).slice(1, -1)
    if (this.#values.delete(value) || this.#values.delete(escaped)) {
      this.#values.delete(escaped)
      this.#sorted = [...this.#values].sort((a, b) => b.length - a.length)
    }
  }

  /** `text` with every registered secret replaced by `[redacted]`. */
  scrub (text: string): string {
    let out = text
    for (const secret of this.#sorted) {
      if (out.includes(secret)) out = out.split(secret).join(SecretRegistry.MASK)
    }
    return out
  }
}
