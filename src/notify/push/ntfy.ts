import { baseUrlSchema, type PushVendor } from './vendor.js'

export interface NtfyOptions {
  topic: string
  /** An access token (`tk_…`) for a protected topic or your own server; null for none. */
  token: string | null
  /** `https://ntfy.sh`, or your own ntfy server. */
  baseUrl: string
}

/**
 * ntfy: a JSON publish, `POST /` with `{ topic, title, message, tags }` (JSON keeps Chinese titles
 * intact, where a `Title` header could not); `Authorization: Bearer` with a token. ntfy.sh allows a
 * burst of 60 messages, then one every 5 seconds. Source: https://docs.ntfy.sh/publish/
 */
export const ntfy: PushVendor<NtfyOptions> = {
  type: 'ntfy',
  docs: 'https://docs.ntfy.sh/publish/',
  perMinute: 12,
  // a message over 4,096 bytes becomes an attachment
  maxBytes: 4000,
  schema: {
    type: 'object',
    required: ['topic'],
    properties: {
      topic: { type: 'string', pattern: '^[-_A-Za-z0-9]{1,64}$' },
      token: { type: ['string', 'null'], minLength: 8, default: null },
      baseUrl: baseUrlSchema('https://ntfy.sh')
    }
  },
  secrets: c => [c.token],
  request: (c, m) => ({
    url: `${c.baseUrl}/`,
    ...(c.token ? { headers: { authorization: `Bearer ${c.token}` } } : {}),
    body: { topic: c.topic, title: m.title, message: m.text, tags: ['computewatch'] }
  }),
  // ntfy answers errors with an HTTP status; a 2xx is accepted.
  verdict: () => ({ ok: true })
}
