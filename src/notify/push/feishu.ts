import { createHmac } from 'node:crypto'
import { baseUrlSchema, codeVerdict, type PushVendor } from './vendor.js'

export interface FeishuOptions {
  /** The hook id: the last part of `…/open-apis/bot/v2/hook/<token>`. */
  token: string
  /** The signature secret ("签名校验"); null when the bot does not check signatures. */
  secret: string | null
  /** `https://open.feishu.cn`, or `https://open.larksuite.com` for Lark. */
  baseUrl: string
}

/**
 * `sign` of a Feishu / Lark bot message: base64 of HMAC-SHA256 keyed with `timestamp + "\n" + secret`
 * over an empty message; `timestamp` in seconds (refused an hour off).
 * Source: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 */
export function feishuSign (secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64')
}

/**
 * Feishu / Lark custom bot: `POST /open-apis/bot/v2/hook/<token>` with a text message (and `timestamp`,
 * `sign` when a secret is set); the answer is `{ code, msg }`, `code` 9499 when the bot's limit (100 a
 * minute, 5 a second) is exceeded. Source: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 */
export const feishu: PushVendor<FeishuOptions> = {
  type: 'feishu',
  docs: 'https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot',
  perMinute: 100,
  // a request body may be 20 KB
  maxBytes: 18000,
  schema: {
    type: 'object',
    required: ['token'],
    properties: {
      token: { type: 'string', minLength: 8 },
      secret: { type: ['string', 'null'], minLength: 8, default: null },
      baseUrl: baseUrlSchema('https://open.feishu.cn')
    }
  },
  secrets: c => [c.token, c.secret],
  request: (c, m, now) => {
    const timestamp = Math.floor(now.getTime() / 1000)
    return {
      url: `${c.baseUrl}/open-apis/bot/v2/hook/${encodeURIComponent(c.token)}`,
      body: {
        ...(c.secret ? { timestamp: String(timestamp), sign: feishuSign(c.secret, timestamp) } : {}),
        msg_type: 'text',
        content: { text: `${m.title}\n${m.text}` }
      }
    }
  },
  verdict: body => codeVerdict(body, 'code', 0, 'msg', [9499])
}
