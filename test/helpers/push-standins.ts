import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { Test } from 'tap'

/** A message a stand-in accepted: the vendor, the credential it came with, and its title and text as the vendor shows them. */
export interface Received {
  vendor: string
  credential: string
  title: string
  text: string
  body: Record<string, any>
  headers: IncomingHttpHeaders
}

export interface StandInOptions {
  /** The window of each vendor's per-credential limit, milliseconds (the vendors' minute, shortened). */
  windowMs: number
  /** Secrets the Feishu / DingTalk bots check signatures with, by credential. */
  signing?: Record<string, string>
}

/** Per vendor: messages per window, and the answer past it (the vendors' documented rate-limit answers). */
const LIMITS: Record<string, { cap: number; over: [number, object] }> = {
  wecom: { cap: 20, over: [200, { errcode: 45009, errmsg: 'api freq out of limit' }] },
  dingtalk: { cap: 20, over: [200, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }] },
  feishu: { cap: 100, over: [200, { code: 9499, msg: 'too many request' }] },
  pushplus: { cap: 10, over: [200, { code: 900, msg: '用户账号使用受限' }] },
  serverchan: { cap: 10, over: [200, { code: 40001, message: 'bad pushtoken' }] },
  bark: { cap: 60, over: [429, { code: 429, message: 'too many requests' }] },
  ntfy: { cap: 12, over: [429, { code: 42901, http: 429, error: 'limit reached: too many requests' }] }
}

/**
 * One local server standing in for every push service, as strict as their documentation: the exact
 * path, `POST` with `Content-Type: application/json`, only the documented body keys, the Feishu and
 * DingTalk signatures checked (and their timestamps within an hour), each credential limited to the
 * vendor's rate per `windowMs` (answered with the vendor's own rate-limit code), and answers in the
 * vendor's envelope. `failNext` answers the next requests with an HTTP status (and headers).
 */
export async function startPushStandIns (t: Test, options: StandInOptions) {
  const received: Received[] = []
  const refused: Array<{ vendor: string; answer: object }> = []
  const sentAt = new Map<string, number[]>()
  let failures: Array<{ status: number; headers: Record<string, string> }> = []
  let attempts = 0

  const answer = (res: import('node:http').ServerResponse, status: number, body: object): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

  const server = createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', chunk => { raw += chunk })
    req.on('end', () => {
      attempts++
      const failure = failures.shift()
      if (failure) return void res.writeHead(failure.status, failure.headers).end('{}')
      const url = new URL(req.url ?? '/', 'http://stand-in')
      const json = (req.headers['content-type'] ?? '').startsWith('application/json')
      let body: Record<string, any> = {}
      try { body = JSON.parse(raw) } catch { /* checked below */ }
      const refuse = (vendor: string, status: number, envelope: object): void => {
        refused.push({ vendor, answer: envelope })
        answer(res, status, envelope)
      }
      const accept = (vendor: string, credential: string, title: string, text: string, ok: object): void => {
        const limit = LIMITS[vendor]!
        const now = Date.now()
        const times = (sentAt.get(`${vendor}/${credential}`) ?? []).filter(at => now - at < options.windowMs)
        if (times.length >= limit.cap) return refuse(vendor, limit.over[0], limit.over[1])
        times.push(now)
        sentAt.set(`${vendor}/${credential}`, times)
        received.push({ vendor, credential, title, text, body, headers: req.headers })
        answer(res, 200, ok)
      }
      const only = (keys: string[]): boolean => Object.keys(body).every(k => keys.includes(k))
      if (req.method !== 'POST' || !json) return answer(res, 405, { error: 'POST application/json only' })

      // WeCom: https://developer.work.weixin.qq.com/document/path/91770
      if (url.pathname === '/cgi-bin/webhook/send') {
        const key = url.searchParams.get('key') ?? ''
        if (key === '') return refuse('wecom', 200, { errcode: 93000, errmsg: 'invalid webhook url' })
        if (body['msgtype'] !== 'markdown' || !only(['msgtype', 'markdown'])) return refuse('wecom', 200, { errcode: 40008, errmsg: 'invalid message type' })
        const content = body['markdown']?.content
        if (typeof content !== 'string' || content === '') return refuse('wecom', 200, { errcode: 44004, errmsg: 'empty content' })
        if (Buffer.byteLength(content) > 4096) return refuse('wecom', 200, { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' })
        return accept('wecom', key, content.split('\n')[0]!.replace(/^\*\*|\*\*$/g, ''), content.split('\n').slice(1).join('\n'), { errcode: 0, errmsg: 'ok' })
      }
      // Feishu: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
      const hook = /^\/open-apis\/bot\/v2\/hook\/([^/]+)$/.exec(url.pathname)
      if (hook) {
        const token = hook[1]!
        const secret = options.signing?.[token]
        if (secret !== undefined) {
          const timestamp = Number(body['timestamp'])
          const sign = createHmac('sha256', `${body['timestamp']}\n${secret}`).update('').digest('base64')
          if (!(Math.abs(Date.now() / 1000 - timestamp) < 3600) || body['sign'] !== sign) return refuse('feishu', 200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' })
        }
        if (body['msg_type'] !== 'text' || typeof body['content']?.text !== 'string' || !only(['msg_type', 'content', 'timestamp', 'sign'])) return refuse('feishu', 200, { code: 9499, msg: 'Bad Request' })
        const [title, ...rest] = (body['content'].text as string).split('\n')
        return accept('feishu', token, title!, rest.join('\n'), { code: 0, msg: 'success', data: {} })
      }
      // DingTalk: https://open.dingtalk.com/document/robots/custom-robot-access
      if (url.pathname === '/robot/send') {
        const token = url.searchParams.get('access_token') ?? ''
        const secret = options.signing?.[token]
        if (secret !== undefined) {
          const timestamp = url.searchParams.get('timestamp') ?? ''
          // searchParams decodes the URL-encoded sign, as DingTalk does.
          const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64')
          if (!(Math.abs(Date.now() - Number(timestamp)) < 3600_000) || url.searchParams.get('sign') !== sign) return refuse('dingtalk', 200, { errcode: 310000, errmsg: 'sign not match' })
        }
        if (body['msgtype'] !== 'markdown' || typeof body['markdown']?.title !== 'string' || typeof body['markdown']?.text !== 'string' || !only(['msgtype', 'markdown', 'at'])) return refuse('dingtalk', 200, { errcode: 40035, errmsg: 'missing parameter' })
        return accept('dingtalk', token, body['markdown'].title, body['markdown'].text.split('\n\n').slice(1).join('\n\n'), { errcode: 0, errmsg: 'ok' })
      }
      // ServerChan: https://sct.ftqq.com/sendkey
      const send = /^\/([^/]+)\.send$/.exec(url.pathname)
      if (send) {
        if (typeof body['title'] !== 'string' || body['title'].length > 32 || !only(['title', 'desp', 'short', 'noip', 'channel', 'openid'])) return refuse('serverchan', 200, { code: 40001, message: 'bad title' })
        return accept('serverchan', send[1]!, body['title'], String(body['desp'] ?? ''), { code: 0, message: '', data: { pushid: '1', readkey: 'r', error: 'SUCCESS', errno: 0 } })
      }
      // PushPlus: https://www.pushplus.plus/doc/guide/api.html
      if (url.pathname === '/send') {
        if (typeof body['token'] !== 'string' || body['token'] === '') return refuse('pushplus', 200, { code: 903, msg: '无效的用户token', data: null })
        if (!only(['token', 'title', 'content', 'template', 'topic', 'channel', 'webhook', 'callbackUrl', 'timestamp', 'to'])) return refuse('pushplus', 200, { code: 999, msg: '参数错误', data: null })
        return accept('pushplus', body['token'], String(body['title']), String(body['content']), { code: 200, msg: '请求成功', data: 'msg-id' })
      }
      // Bark: https://github.com/Finb/bark-server/blob/master/docs/API_V2.md
      if (url.pathname === '/push') {
        if (typeof body['device_key'] !== 'string' || body['device_key'] === '') return refuse('bark', 400, { code: 400, message: 'device key is empty' })
        if (typeof body['body'] !== 'string' || !only(['device_key', 'device_keys', 'title', 'subtitle', 'body', 'level', 'badge', 'sound', 'icon', 'group', 'url', 'copy', 'isArchive', 'id'])) return refuse('bark', 400, { code: 400, message: 'bad request' })
        return accept('bark', body['device_key'], String(body['title'] ?? ''), body['body'], { code: 200, message: 'success', timestamp: Math.floor(Date.now() / 1000) })
      }
      // ntfy: https://docs.ntfy.sh/publish/#publish-as-json
      if (url.pathname === '/') {
        if (typeof body['topic'] !== 'string' || !only(['topic', 'message', 'title', 'tags', 'priority', 'actions', 'click', 'attach', 'markdown', 'icon', 'filename', 'delay', 'email', 'call'])) return refuse('ntfy', 400, { code: 40001, http: 400, error: 'invalid request' })
        const auth = req.headers.authorization
        const credential = auth?.startsWith('Bearer ') ? auth.slice(7) : body['topic']
        if (body['topic'].startsWith('private-') && auth === undefined) return refuse('ntfy', 403, { code: 40301, http: 403, error: 'forbidden' })
        return accept('ntfy', credential, String(body['title'] ?? ''), String(body['message'] ?? ''), { id: 'x', time: Math.floor(Date.now() / 1000), event: 'message', topic: body['topic'] })
      }
      answer(res, 404, { error: 'not found' })
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => { server.closeAllConnections(); server.close(resolve) }))
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received,
    refused,
    /** Requests that reached the server, failed ones included. */
    attempts: () => attempts,
    /** Answer the next `count` requests with `status` (and `headers`, e.g. `Retry-After`). */
    failNext (count: number, status: number, headers: Record<string, string> = {}): void {
      failures = Array.from({ length: count }, () => ({ status, headers }))
    }
  }
}
