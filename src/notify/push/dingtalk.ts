import { createHmac } from 'node:crypto'
import { baseUrlSchema, codeVerdict, type PushVendor } from './vendor.js'

export interface DingtalkOptions {
  /** The robot's `access_token`. */
  accessToken: string
  /** The "加签" secret (`SEC…`); null when the robot checks keywords or IPs instead. */
  secret: string | null
  baseUrl: string
}

/**
 * `sign` of a DingTalk robot request: base64 of HMAC-SHA256 over `timestamp + "\n" + secret` keyed with
 * the secret, URL-encoded; `timestamp` in milliseconds (DingTalk refuses it an hour off).
 * Source: https://open.dingtalk.com/document/robots/customize-robot-security-settings
 */
export function dingtalkSign (secret: string, timestampMs: number): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64'))
}

/**
 * DingTalk (钉钉) custom robot: `POST /robot/send?access_token=…[&timestamp=…&sign=…]` with a markdown
 * message; the answer is `{ errcode, errmsg }`, `errcode` 130101 when the limit of 20 messages a minute
 * is exceeded. Source: https://open.dingtalk.com/document/robots/custom-robot-access
 */
export const dingtalk: PushVendor<DingtalkOptions> = {
  type: 'dingtalk',
  docs: 'https://open.dingtalk.com/document/robots/custom-robot-access',
  perMinute: 20,
  // a message may be 20,000 bytes
  maxBytes: 18000,
  schema: {
    type: 'object',
    required: ['accessToken'],
    properties: {
      accessToken: { type: 'string', minLength: 8 },
      secret: { type: ['string', 'null'], pattern: '^SEC', default: null },
      baseUrl: baseUrlSchema('https://oapi.dingtalk.com')
    }
  },
  secrets: c => [c.accessToken, c.secret],
  request: (c, m, now) => {
    const signed = c.secret ? `&timestamp=${now.getTime()}&sign=${dingtalkSign(c.secret, now.getTime())}` : ''
    return {
      url: `${c.baseUrl}/robot/send?access_token=${encodeURIComponent(c.accessToken)}${signed}`,
      body: { msgtype: 'markdown', markdown: { title: m.title, text: `#### ${m.title}\n\n${m.text}` } }
    }
  },
  verdict: body => codeVerdict(body, 'errcode', 0, 'errmsg', [130101])
}
