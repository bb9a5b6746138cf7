import { baseUrlSchema, codeVerdict, cutBytes, type PushVendor } from './vendor.js'

export interface WecomOptions {
  /** The robot's webhook key (the `key=` of its URL). */
  key: string
  baseUrl: string
}

/**
 * WeCom (企业微信) group robot: `POST /cgi-bin/webhook/send?key=KEY` with a markdown message (at most
 * 4096 bytes); the answer is `{ errcode, errmsg }`, `errcode` 45009 when the robot's limit of 20
 * messages a minute is exceeded. Source: https://developer.work.weixin.qq.com/document/path/91770
 */
export const wecom: PushVendor<WecomOptions> = {
  type: 'wecom',
  docs: 'https://developer.work.weixin.qq.com/document/path/91770',
  perMinute: 20,
  // the markdown content may be 4,096 bytes
  maxBytes: 4000,
  schema: {
    type: 'object',
    required: ['key'],
    properties: { key: { type: 'string', minLength: 8 }, baseUrl: baseUrlSchema('https://qyapi.weixin.qq.com') }
  },
  secrets: c => [c.key],
  request: (c, m) => ({
    url: `${c.baseUrl}/cgi-bin/webhook/send?key=${encodeURIComponent(c.key)}`,
    body: { msgtype: 'markdown', markdown: { content: cutBytes(`**${m.title}**\n${m.text}`, 4096) } }
  }),
  verdict: body => codeVerdict(body, 'errcode', 0, 'errmsg', [45009])
}
