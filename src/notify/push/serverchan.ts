import { baseUrlSchema, codeVerdict, type PushVendor } from './vendor.js'

export interface ServerchanOptions {
  /** The SendKey (`SCT…`). */
  sendKey: string
  baseUrl: string
}

/**
 * ServerChan (Server酱 Turbo): `POST /<SendKey>.send` with `title` and `desp` (markdown); the answer is
 * `{ code, message }`, `code` 0 when accepted. The free plan delivers a few messages a day.
 * Source: https://sct.ftqq.com/sendkey
 */
export const serverchan: PushVendor<ServerchanOptions> = {
  type: 'serverchan',
  docs: 'https://sct.ftqq.com/sendkey',
  perMinute: 10,
  // `desp` may be 32 KB
  maxBytes: 30000,
  schema: {
    type: 'object',
    required: ['sendKey'],
    properties: { sendKey: { type: 'string', minLength: 8 }, baseUrl: baseUrlSchema('https://sctapi.ftqq.com') }
  },
  secrets: c => [c.sendKey],
  request: (c, m) => ({ url: `${c.baseUrl}/${encodeURIComponent(c.sendKey)}.send`, body: { title: m.title.slice(0, 32), desp: m.text } }),
  verdict: body => codeVerdict(body, 'code', 0, 'message')
}
