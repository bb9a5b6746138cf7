import { createHmac } from 'node:crypto'
import t from 'tap'
import { PUSH_VENDORS } from '../../../src/notify/push/index.js'
import { bark } from '../../../src/notify/push/bark.js'
import { dingtalk, dingtalkSign } from '../../../src/notify/push/dingtalk.js'
import { feishu, feishuSign } from '../../../src/notify/push/feishu.js'
import { ntfy } from '../../../src/notify/push/ntfy.js'
import { pushplus } from '../../../src/notify/push/pushplus.js'
import { serverchan } from '../../../src/notify/push/serverchan.js'
import { cutBytes } from '../../../src/notify/push/vendor.js'
import { wecom } from '../../../src/notify/push/wecom.js'

const message = { id: 'alert-1', title: 'computewatch · lab', text: '⏳ 641机 将在 23小时后释放' }
const now = new Date('2026-11-21T08:00:00.000Z')

t.test('WeCom: markdown to /cgi-bin/webhook/send?key=, 45009 (over 20 a minute) is retried', async t => {
  t.same(wecom.request({ key: 'wecom-key-123', baseUrl: 'https://qyapi.weixin.qq.com' }, message, now), {
    url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-123',
    body: { msgtype: 'markdown', markdown: { content: '**computewatch · lab**\n⏳ 641机 将在 23小时后释放' } }
  })
  t.same(wecom.verdict({ errcode: 0, errmsg: 'ok' }), { ok: true })
  t.same(wecom.verdict({ errcode: 45009, errmsg: 'api freq out of limit' }), { ok: false, retry: true, message: 'errcode 45009: api freq out of limit' })
  t.same(wecom.verdict({ errcode: 93000, errmsg: 'invalid webhook url' }), { ok: false, retry: false, message: 'errcode 93000: invalid webhook url' })
  t.equal(wecom.perMinute, 20)
})

t.test('DingTalk: signed with HMAC-SHA256 of "timestamp\\nsecret", milliseconds, URL-encoded', async t => {
  const secret = 'SEC0123456789abcdef'
  const expected = encodeURIComponent(createHmac('sha256', secret).update(`${now.getTime()}\n${secret}`).digest('base64'))
  t.equal(dingtalkSign(secret, now.getTime()), expected)
  t.notOk(/[+/=]/.test(dingtalkSign(secret, now.getTime())), 'no raw base64 characters in the query')
  const signed = dingtalk.request({ accessToken: 'ding-token-1', secret, baseUrl: 'https://oapi.dingtalk.com' }, message, now)
  t.equal(signed.url, `https://oapi.dingtalk.com/robot/send?access_token=ding-token-1&timestamp=1795248000000&sign=${expected}`)
  t.same(signed.body, { msgtype: 'markdown', markdown: { title: 'computewatch · lab', text: '#### computewatch · lab\n\n⏳ 641机 将在 23小时后释放' } })
  t.equal(dingtalk.request({ accessToken: 'ding-token-1', secret: null, baseUrl: 'https://oapi.dingtalk.com' }, message, now).url, 'https://oapi.dingtalk.com/robot/send?access_token=ding-token-1')
  t.match(dingtalk.verdict({ errcode: 130101, errmsg: 'send too fast' }), { ok: false, retry: true })
  t.match(dingtalk.verdict({ errcode: 310000, errmsg: 'sign not match' }), { ok: false, retry: false })
})

t.test('Feishu: timestamp in seconds and a sign keyed with "timestamp\\nsecret" over an empty message', async t => {
  const secret = 'feishu-secret-1'
  const expected = createHmac('sha256', `1795248000\n${secret}`).update('').digest('base64')
  t.equal(feishuSign(secret, 1795248000), expected)
  t.same(feishu.request({ token: 'hook-token-1', secret, baseUrl: 'https://open.feishu.cn' }, message, now), {
    url: 'https://open.feishu.cn/open-apis/bot/v2/hook/hook-token-1',
    body: { timestamp: '1795248000', sign: expected, msg_type: 'text', content: { text: 'computewatch · lab\n⏳ 641机 将在 23小时后释放' } }
  })
  t.notOk('sign' in feishu.request({ token: 'hook-token-1', secret: null, baseUrl: 'https://open.larksuite.com' }, message, now).body)
  t.same(feishu.verdict({ code: 0, msg: 'success' }), { ok: true })
  t.match(feishu.verdict({ code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }), { ok: false, retry: false })
  t.match(feishu.verdict({ code: 9499, msg: 'too many request' }), { ok: false, retry: true })
})

t.test('ServerChan, PushPlus, Bark, ntfy: their documented requests and answers', async t => {
  t.same(serverchan.request({ sendKey: 'SCT123456abcdef', baseUrl: 'https://sctapi.ftqq.com' }, message, now), {
    url: 'https://sctapi.ftqq.com/SCT123456abcdef.send', body: { title: 'computewatch · lab', desp: '⏳ 641机 将在 23小时后释放' }
  })
  t.match(serverchan.verdict({ code: 40001, message: 'bad pushkey' }), { ok: false, retry: false })
  t.same(pushplus.request({ token: 'pushplus-token', topic: null, baseUrl: 'https://www.pushplus.plus' }, message, now).body,
    { token: 'pushplus-token', title: 'computewatch · lab', content: '⏳ 641机 将在 23小时后释放', template: 'markdown' })
  t.same(pushplus.verdict({ code: 200, msg: '请求成功', data: 'x' }), { ok: true })
  t.match(pushplus.verdict({ code: 900, msg: '用户账号使用受限' }), { ok: false, retry: true })
  t.same(bark.request({ deviceKey: 'bark-device-key', baseUrl: 'https://bark.example.com' }, message, now), {
    url: 'https://bark.example.com/push', body: { device_key: 'bark-device-key', title: 'computewatch · lab', body: '⏳ 641机 将在 23小时后释放', group: 'computewatch' }
  })
  t.same(ntfy.request({ topic: 'gpu-alerts', token: 'tk_abcdefgh', baseUrl: 'https://ntfy.example.com' }, message, now), {
    url: 'https://ntfy.example.com/', headers: { authorization: 'Bearer tk_abcdefgh' },
    body: { topic: 'gpu-alerts', title: 'computewatch · lab', message: '⏳ 641机 将在 23小时后释放', tags: ['computewatch'] }
  })
})

t.test('every vendor names its doc page, a limit, and its secrets', async t => {
  t.same(PUSH_VENDORS.map(v => v.type), ['wecom', 'feishu', 'dingtalk', 'serverchan', 'pushplus', 'bark', 'ntfy'])
  for (const vendor of PUSH_VENDORS) {
    t.match(vendor.docs, /^https:\/\//, `${vendor.type} cites its documentation`)
    t.ok(vendor.perMinute > 0)
  }
  t.same(dingtalk.secrets({ accessToken: 'a-token-1', secret: 'SECx', baseUrl: '' }), ['a-token-1', 'SECx'])
})

t.test('cutBytes keeps whole characters under a byte limit', async t => {
  t.equal(cutBytes('abc', 10), 'abc')
  const cut = cutBytes('释放'.repeat(2000), 4096)
  t.ok(Buffer.byteLength(cut) <= 4096)
  t.ok(cut.endsWith('…'))
  t.notOk(cut.includes('\uFFFD'))
})
