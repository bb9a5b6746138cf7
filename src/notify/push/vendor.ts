import type { SchemaObject } from 'ajv'

/** What a push channel sends: a title and a text, in the channel's language. */
export interface PushMessage {
  /** The delivery id (the same on every attempt), for vendors that take one. */
  id: string
  title: string
  text: string
}

/** One HTTP request to a vendor. */
export interface PushRequest {
  url: string
  headers?: Record<string, string>
  /** Sent as JSON. */
  body: object
}

/** The vendor's own verdict on an HTTP 2xx answer (many put their errors in the body). */
export type PushVerdict = { ok: true } | { ok: false; retry: boolean; message: string }

/**
 * A push service computewatch can send alerts to: how to build its request, how to read its answer,
 * and how many messages a minute it accepts. Each vendor cites the page its facts come from.
 * @typeParam C - the channel's options after validation.
 */
export interface PushVendor<C extends object = Record<string, unknown>> {
  /** `notify.channels[].type`. */
  type: string
  /** The vendor's documentation of the request below. */
  docs: string
  /** Messages per minute one robot / key accepts; the channel queues beyond it. */
  perMinute: number
  /** UTF-8 bytes of text a message may carry: a group's lines beyond it become "…and N more". */
  maxBytes: number
  /** JSON schema of the vendor's own options (beside `type`, `name`, `events`, `language`). */
  schema: SchemaObject
  /** Option values that are secrets (scrubbed from every output). */
  secrets (config: C): Array<string | null | undefined>
  /** Build the request for one message. `now` signs it where the vendor asks for a signature. */
  request (config: C, message: PushMessage, now: Date): PushRequest
  /** Read a 2xx answer's body. */
  verdict (body: unknown): PushVerdict
}

/** `baseUrl` option: the vendor's server, or your own (a self-hosted Bark or ntfy, a proxy). */
export const baseUrlSchema = (fallback: string): SchemaObject => ({ type: 'string', format: 'uri', pattern: '^https?://', default: fallback })

/** An answer `{ <codeKey>: <ok>, <messageKey> }`: ok when the code is `ok`; retried when it is one of `retryCodes`. */
export function codeVerdict (body: unknown, codeKey: string, ok: number, messageKey: string, retryCodes: readonly number[] = []): PushVerdict {
  const record = (body ?? {}) as Record<string, unknown>
  const code = record[codeKey]
  if (code === ok) return { ok: true }
  return { ok: false, retry: typeof code === 'number' && retryCodes.includes(code), message: `${codeKey} ${String(code)}: ${String(record[messageKey] ?? 'no message')}` }
}

/** `text` cut to `max` UTF-8 bytes at a character boundary, with an ellipsis when cut. */
export function cutBytes (text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text
  let out = ''
  for (const char of text) {
    if (Buffer.byteLength(out + char) > max - 3) break
    out += char
  }
  return `${out}…`
}
