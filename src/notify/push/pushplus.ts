import { baseUrlSchema, codeVerdict, type PushVendor } from './vendor.js'

export interface PushplusOptions {
  /** The user token. */
  token: string
  /** A group code (`topic`) to send to a group; null: the token's owner. */
  topic: string | null
  baseUrl: string
}

/**
 * PushPlus (推送加): `POST /send` with `{ token, title, content, template: "markdown" }`; the answer is
 * `{ code, msg }`, `code` 200 when accepted, 900 when the account sends too often.
 * Source: https://www.pushplus.plus/doc/guide/api.html
 */
export const pushplus: PushVendor<PushplusOptions> = {
  type: 'pushplus',
  docs: 'https://www.pushplus.plus/doc/guide/api.html',
  perMinute: 10,
  // content of a few ten thousand characters
  maxBytes: 18000,
  schema: {
    type: 'object',
    required: ['token'],
    properties: { token: { type: 'string', minLength: 8 }, topic: { type: ['string', 'null'], minLength: 1, default: null }, baseUrl: baseUrlSchema('https://www.pushplus.plus') }
  },
  secrets: c => [c.token],
  request: (c, m) => ({
    url: `${c.baseUrl}/send`,
    body: { token: c.token, title: m.title, content: m.text, template: 'markdown', ...(c.topic ? { topic: c.topic } : {}) }
  }),
  verdict: body => codeVerdict(body, 'code', 200, 'msg', [900])
}
