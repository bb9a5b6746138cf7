import t, { type Test } from 'tap'
import { parseConfig } from '../../../src/config/load.js'
import type { ChannelConfig } from '../../../src/config/schema.js'
import { ALERT_RULES } from '../../../src/alerts/rules/index.js'
import { memoryStateStore } from '../../../src/core/store.js'
import type { Alert } from '../../../src/notify/alert.js'
import { CHANNEL_TYPES, createChannel } from '../../../src/notify/channels.js'
import { Outbox } from '../../../src/notify/outbox.js'
import { createTranslator } from '../../../src/present/i18n.js'
import { defaultRegistry } from '../../../src/run.js'
import { captureLog } from '../../helpers/log.js'
import { startPushStandIns } from '../../helpers/push-standins.js'

const FEISHU_SECRET = 'feishu-signing-secret-1'
const DING_SECRET = 'SECdingtalk-signing-secret'

/** Every push channel type, pointed at the stand-ins; Feishu and DingTalk signed. */
function channelEntries (url: string): object[] {
  return [
    { type: 'wecom', key: 'wecom-robot-key-1', baseUrl: url, language: 'en' },
    { type: 'feishu', token: 'feishu-hook-token-1', secret: FEISHU_SECRET, baseUrl: url, language: 'zh' },
    { type: 'dingtalk', accessToken: 'ding-access-token-1', secret: DING_SECRET, baseUrl: url, language: 'en' },
    { type: 'serverchan', sendKey: 'SCT-send-key-0001', baseUrl: url, language: 'en' },
    { type: 'pushplus', token: 'pushplus-token-0001', baseUrl: url, language: 'zh' },
    { type: 'bark', deviceKey: 'bark-device-key-1', baseUrl: url, language: 'en' },
    { type: 'ntfy', topic: 'private-computewatch', token: 'tk_ntfy_token_0001', baseUrl: url, language: 'en' }
  ]
}

/** The channels as the config loader makes them (unset language: English here, as `telegram.language`). */
function configured (entries: object[]): ChannelConfig[] {
  return parseConfig({ providers: [], telegram: { language: 'en' }, notify: { channels: entries } }, { registry: defaultRegistry(), alertRules: ALERT_RULES, channelTypes: CHANNEL_TYPES, env: {} }).notify.channels
}

function release (n: number, provider = 'lab'): Alert {
  return {
    id: `a-${n}`, event: 'release.approaching', rule: 'release', at: '2026-11-21T08:00:00.000Z', provider: { id: provider, type: 'autodl' }, instance: null,
    text: { zh: `⏳ 实例-${n} 将在 20小时 后释放`, en: `⏳ box-${n} will be released in 20h` }, data: {}
  }
}

async function channels (t: Test, entries: object[], options: { rateIntervalMs?: number; outbox?: Outbox | null } = {}) {
  const captured = captureLog()
  const translators = { zh: await createTranslator('zh'), en: await createTranslator('en') }
  const counted: string[] = []
  const telemetry = { poll () {}, login () {}, webhookDelivery () {}, action () {}, alert: (_event: string, channel: string, result: string) => { counted.push(`${channel} ${result}`) } }
  const made = configured(entries).map(c => createChannel(c, { t: translators[c.language], outbox: options.outbox ?? null, log: captured.log, telemetry, retryBaseMs: 5, rateIntervalMs: options.rateIntervalMs ?? 60_000 }))
  t.teardown(async () => { for (const c of made) await c.close() })
  return { channels: made, captured, counted }
}

t.test('every push service gets one message per group, in its documented request, signed where asked, in the channel\'s language', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000, signing: { 'feishu-hook-token-1': FEISHU_SECRET, 'ding-access-token-1': DING_SECRET } })
  const { channels: all, counted } = await channels(t, channelEntries(standIn.url))
  const group = [release(1), release(2), release(3)]
  for (const channel of all) channel.send(group)
  for (const channel of all) await channel.flush()
  t.same(standIn.refused, [], 'no request refused')
  t.same(standIn.received.map(r => r.vendor).sort(), ['bark', 'dingtalk', 'feishu', 'ntfy', 'pushplus', 'serverchan', 'wecom'], 'one message each')
  for (const r of standIn.received) {
    const zh = r.vendor === 'feishu' || r.vendor === 'pushplus'
    t.equal(r.title, zh ? '实例即将释放（3 条）' : 'Release approaching (3)', `${r.vendor}: the title`)
    t.same(r.text.split('\n'), zh ? ['• ⏳ 实例-1 将在 20小时 后释放', '• ⏳ 实例-2 将在 20小时 后释放', '• ⏳ 实例-3 将在 20小时 后释放'] : ['• ⏳ box-1 will be released in 20h', '• ⏳ box-2 will be released in 20h', '• ⏳ box-3 will be released in 20h'], `${r.vendor}: a line per instance`)
  }
  t.equal(standIn.received.find(r => r.vendor === 'ntfy')?.headers.authorization, 'Bearer tk_ntfy_token_0001')
  t.equal(counted.filter(c => c.endsWith(' sent')).length, 7, 'each counted as sent on its channel')
})

t.test('a wrong signing secret is refused by Feishu and DingTalk, not retried, and counted as failed', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000, signing: { 'feishu-hook-token-1': 'another-secret-000', 'ding-access-token-1': 'SECanother-secret' } })
  const { channels: all, counted, captured } = await channels(t, channelEntries(standIn.url).slice(1, 3))
  for (const channel of all) channel.send([release(1)])
  for (const channel of all) await channel.flush()
  t.same(Object.fromEntries(standIn.refused.map(r => [r.vendor, r.answer])), {
    feishu: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
    dingtalk: { errcode: 310000, errmsg: 'sign not match' }
  })
  t.equal(standIn.attempts(), 2, 'one attempt each')
  t.same(counted.sort(), ['dingtalk failed', 'feishu failed'])
  t.ok(captured.entries().some(e => e['msg'] === 'alert delivery failed; giving up' && /sign not match/.test(JSON.stringify(e['err']))))
})

t.test('5xx and 429 are retried, Retry-After is honoured; a 4xx is final', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000 })
  const { channels: [bark] } = await channels(t, [{ type: 'bark', deviceKey: 'bark-device-key-1', baseUrl: standIn.url, maxAttempts: 4 }])
  standIn.failNext(2, 503)
  bark!.send([release(1)])
  await bark!.flush()
  t.equal(standIn.attempts(), 3, 'two 503, then delivered')
  t.equal(standIn.received.length, 1)

  standIn.failNext(1, 429, { 'retry-after': '1' })
  const started = Date.now()
  bark!.send([release(2)])
  await bark!.flush()
  t.equal(standIn.received.length, 2, 'delivered after the 429')
  t.ok(Date.now() - started >= 950, 'not before the second Retry-After asked for')

  standIn.failNext(1, 400)
  bark!.send([release(3)])
  await bark!.flush()
  t.equal(standIn.attempts(), 6, 'a 400 is not tried again')
  t.equal(standIn.received.length, 2)
})

t.test('each channel keeps to its vendor\'s rate; a vendor\'s own rate-limit answer is retried after the window', async t => {
  // The stand-in allows WeCom's 20 messages per window of 400 ms per robot key.
  const standIn = await startPushStandIns(t, { windowMs: 400 })
  const polite = await channels(t, [{ type: 'wecom', key: 'wecom-robot-key-1', baseUrl: standIn.url }], { rateIntervalMs: 450 })
  for (let i = 0; i < 25; i++) polite.channels[0]!.send([release(i)])
  await polite.channels[0]!.flush()
  t.equal(standIn.received.length, 25, 'all delivered')
  t.same(standIn.refused, [], 'never over the limit: 20 a window, the rest waited')

  // A channel that believed in a shorter window sends too fast: WeCom answers 45009, and the channel waits and retries.
  const hasty = await channels(t, [{ type: 'wecom', key: 'wecom-robot-key-2', baseUrl: standIn.url, maxAttempts: 6 }], { rateIntervalMs: 100 })
  for (let i = 0; i < 25; i++) hasty.channels[0]!.send([release(i)])
  await hasty.channels[0]!.flush()
  t.ok(standIn.refused.length > 0 && standIn.refused.every(r => (r.answer as { errcode: number }).errcode === 45009), 'refused with 45009')
  t.equal(standIn.received.filter(r => r.credential === 'wecom-robot-key-2').length, 25, 'and still all delivered')
})

t.test('a failing channel never delays another', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000 })
  const { channels: [down, up] } = await channels(t, [
    { type: 'bark', deviceKey: 'bark-device-key-1', baseUrl: 'http://127.0.0.1:9', maxAttempts: 20 },
    { type: 'ntfy', topic: 'computewatch', baseUrl: standIn.url }
  ])
  down!.send([release(1)])
  up!.send([release(1)])
  await up!.flush()
  t.equal(standIn.received.length, 1, 'ntfy delivered while bark is still being retried')
  await down!.close()
})

t.test('a long group fits the vendor\'s limit: the lines that do not fit become "…and N more"', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000 })
  const { channels: [wecom] } = await channels(t, [{ type: 'wecom', key: 'wecom-robot-key-1', baseUrl: standIn.url, language: 'zh' }])
  // About 150 bytes a line: 40 of them do not fit WeCom's 4,096 bytes.
  wecom!.send(Array.from({ length: 40 }, (_, i) => ({ ...release(i), text: { zh: `⏳ 训练任务-${i}-${'长名字'.repeat(12)} 将在 20小时 后释放`, en: '' } })))
  await wecom!.flush()
  const [message] = standIn.received
  t.equal(message?.title, '实例即将释放（40 条）')
  const lines = message!.text.split('\n')
  const shown = lines.filter(l => l.startsWith('• ')).length
  t.ok(shown > 10 && shown < 40, `${shown} lines shown`)
  t.equal(lines.at(-1), `……另有 ${40 - shown} 条`)
  t.ok(Buffer.byteLength(`**${message!.title}**\n${message!.text}`) <= 4096)
})

t.test('accounts added through the bot and Telegram-only notes never reach a push service', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000 })
  const { channels: [ntfy] } = await channels(t, [{ type: 'ntfy', topic: 'computewatch', baseUrl: standIn.url }])
  ntfy!.send([release(1, 'tg-4242')])
  ntfy!.send([{ ...release(2), telegramOnly: true }])
  await ntfy!.flush()
  t.equal(standIn.attempts(), 0)
})

t.test('a delivery still being retried when the host stops is sent after the restart, from the outbox', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000 })
  const store = memoryStateStore()
  const first = await channels(t, [{ type: 'pushplus', token: 'pushplus-token-0001', baseUrl: standIn.url, maxAttempts: 20 }], { outbox: new Outbox(store.namespace('outbox')) })
  standIn.failNext(1000, 503)
  first.channels[0]!.send([release(7)])
  while (standIn.attempts() < 2) await new Promise(resolve => setTimeout(resolve, 5))
  await first.channels[0]!.close()
  const left = await new Outbox(store.namespace('outbox')).list()
  t.equal(left.length, 1, 'kept in the outbox')
  t.match(left[0], { channel: 'pushplus', event: 'release.approaching', payload: { title: 'Release approaching', text: '⏳ box-7 will be released in 20h' } })
  t.notOk(JSON.stringify(left).includes('pushplus-token-0001'), 'the outbox holds the message, not the token')

  standIn.failNext(0, 503)
  const outbox = new Outbox(store.namespace('outbox'))
  const second = await channels(t, [{ type: 'pushplus', token: 'pushplus-token-0001', baseUrl: standIn.url }], { outbox })
  second.channels[0]!.resume!(await outbox.list())
  await second.channels[0]!.flush()
  t.same(standIn.received.map(r => r.text), ['⏳ box-7 will be released in 20h'])
  t.same(await outbox.list(), [], 'and removed from the outbox')
})
