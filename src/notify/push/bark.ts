import { baseUrlSchema, codeVerdict, type PushVendor } from './vendor.js'

export interface BarkOptions {
  /** The device key the Bark app shows. */
  deviceKey: string
  /** `https://api.day.app`, or your own bark-server. */
  baseUrl: string
}

/**
 * Bark (iOS): `POST /push` with `{ device_key, title, body, group }` (bark-server API v2); the answer is
 * `{ code, message }`, `code` 200 when accepted. Source: https://github.com/Finb/bark-server/blob/master/docs/API_V2.md
 */
export const bark: PushVendor<BarkOptions> = {
  type: 'bark',
  docs: 'https://github.com/Finb/bark-server/blob/master/docs/API_V2.md',
  perMinute: 60,
  // an APNs payload may be 4 KB
  maxBytes: 3000,
  schema: {
    type: 'object',
    required: ['deviceKey'],
    properties: { deviceKey: { type: 'string', minLength: 8 }, baseUrl: baseUrlSchema('https://api.day.app') }
  },
  secrets: c => [c.deviceKey],
  request: (c, m) => ({ url: `${c.baseUrl}/push`, body: { device_key: c.deviceKey, title: m.title, body: m.text, group: 'computewatch' } }),
  verdict: body => codeVerdict(body, 'code', 200, 'message')
}
