import t, { type Test } from 'tap'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'
import { parseConfig } from '../../src/config/load.js'
import { CHANNEL_TYPES } from '../../src/notify/channels.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { defaultRegistry } from '../../src/run.js'
import { alertsWorld, READER, WEBHOOK_SECRET } from '../helpers/alerts-world.js'
import { issuesOf } from '../helpers/config.js'
import { startPushStandIns } from '../helpers/push-standins.js'

const HOUR = 3600_000
const RELEASE = 15 * 24 * HOUR
const WECOM_KEY = 'wecom-robot-key-burst'
const NTFY_TOKEN = 'tk_ntfy_token_burst'
const SMTP_PASSWORD = 'smtp-password-burst'

/** `count` shut-down instances, each released in 20 hours: one poll raises `count` release alerts. */
async function burst (t: Test, count: number) {
  const instances = Array.from({ length: count }, (_, i) => makeInstance({
    uuid: `b${i}`, machine_id: `m-${i}`, name: `run-${i}`, region_name: '内蒙B区', status: 'shutdown', gpu_idle_num: 2,
    stopped_at: nullTime(new Date(Date.now() - RELEASE + 20 * HOUR))
  }))
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances }] })
  t.teardown(() => simulator.close())
  return [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }]
}

t.test('a burst of 40 release alerts is one message per channel (the webhook still gets one delivery per alert)', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000 })
  const world = await alertsWorld(t, await burst(t, 40), {
    channels: [
      { type: 'wecom', key: WECOM_KEY, baseUrl: standIn.url },
      { type: 'ntfy', topic: 'private-lab', token: NTFY_TOKEN, baseUrl: standIn.url, language: 'zh' }
    ]
  })
  await world.poll()
  t.same(standIn.received.map(r => [r.vendor, r.title]).sort(), [['ntfy', '实例即将释放（40 条）'], ['wecom', 'Release approaching (40)']])
  const ntfy = standIn.received.find(r => r.vendor === 'ntfy')!
  const shown = ntfy.text.split('\n').filter(l => l.startsWith('• ⏳ run-')).length
  const more = Number(/……另有 (\d+) 条$/.exec(ntfy.text)?.[1] ?? 0)
  t.equal(shown + more, 40, `ntfy (4,096 bytes a message): ${shown} lines and "…and ${more} more"`)
  const telegram = world.messages(READER)
  t.ok(telegram.length >= 1 && telegram.length <= 2, 'Telegram: one message (split only where Telegram\'s 4,096 characters require)')
  t.match(telegram[0]?.text, /^Release approaching \(40\)\n• ⏳ run-/)
  t.equal(telegram.flatMap(m => m.text.split('\n')).filter(l => l.startsWith('• ⏳ run-')).length, 40)
  t.ok(telegram.at(-1)!.buttons.every(b => /^Keep alive · run-\d+$/.test(b.text)) && telegram.at(-1)!.buttons.length === 20, 'a [Keep alive] per instance, named, at most 20')
  t.equal(world.hooks.deliveries.filter(d => d.json.event === 'release.approaching').length, 40, 'the webhook payload is one alert each')
  const counted = await world.host.api.inject({ url: '/metrics' })
  t.match(counted.body, 'computewatch_alerts_total{event="release.approaching",channel="wecom",result="sent"} 1')
})

t.test('alerts.routes sends an event to the named channels only; other events still go to every subscriber', async t => {
  const standIn = await startPushStandIns(t, { windowMs: 60_000 })
  const world = await alertsWorld(t, await burst(t, 3), {
    alerts: { routes: { 'release.approaching': ['duty'] } },
    channels: [
      { type: 'wecom', key: WECOM_KEY, baseUrl: standIn.url },
      { type: 'ntfy', name: 'duty', topic: 'duty-phone', baseUrl: standIn.url }
    ]
  })
  await world.poll()
  t.same(standIn.received.map(r => r.vendor), ['ntfy'], 'only the channel named by the route')
  t.same(world.messages(READER), [], 'not Telegram')
  t.same(world.hooks.deliveries, [], 'not the webhook')
  t.same(world.host.dispatcher.channelsFor('gpu.freed').map(c => c.name).sort(), ['duty', 'telegram', 'webhook', 'wecom'], 'unrouted events: every channel subscribing')
})

t.test('channel names: defaults per type, unique across webhooks, channels and telegram; routes must name one', async t => {
  const parse = (notify: object, alerts: object = {}) => parseConfig({ providers: [], notify, alerts }, { registry: defaultRegistry(), alertRules: ALERT_RULES, channelTypes: CHANNEL_TYPES, env: {} })
  t.same(parse({ channels: [{ type: 'bark', deviceKey: 'bark-key-0001' }, { type: 'bark', deviceKey: 'bark-key-0002' }, { type: 'ntfy', topic: 'x' }] }).notify.channels.map(c => c.name), ['bark-1', 'bark-2', 'ntfy'])
  t.match(issuesOf(() => parse({ channels: [{ type: 'ntfy', name: 'telegram', topic: 'x' }] })), ['notify.channels[0].name: "telegram" is already the name of the Telegram channel; names tell channels apart in metrics, logs and alerts.routes'])
  t.match(issuesOf(() => parse({ webhooks: [{ url: 'https://hooks.example/x' }], channels: [{ type: 'ntfy', name: 'webhook', topic: 'x' }] })), [/"webhook" is already the name of another webhook or channel/])
  t.match(issuesOf(() => parse({ channels: [{ type: 'ntfy', topic: 'x' }] }, { routes: { 'gpu.freed': ['ntfy', 'pager'] } })), ['alerts.routes.gpu.freed: no channel is named "pager" (channels: telegram, ntfy)'])
  t.match(issuesOf(() => parse({}, { routes: { 'gpu.free': ['telegram'] } })), [/alerts\.routes\.gpu\.free: unknown key/])
  t.match(issuesOf(() => parse({ channels: [{ type: 'slack', url: 'x' }] })), [/notify\.channels\[0\]\.type: must be one of: "email", "wecom"/])
})

t.test('every channel\'s secrets are scrubbed: failing deliveries log none of them', async t => {
  const world = await alertsWorld(t, await burst(t, 2), {
    channels: [
      { type: 'wecom', key: WECOM_KEY, baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 },
      { type: 'feishu', token: 'feishu-token-burst', secret: 'feishu-secret-burst', baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 },
      { type: 'dingtalk', accessToken: 'ding-token-burst', secret: 'SECding-secret-burst', baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 },
      { type: 'serverchan', sendKey: 'SCT-key-burst-01', baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 },
      { type: 'pushplus', token: 'pushplus-token-burst', baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 },
      { type: 'bark', deviceKey: 'bark-device-burst', baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 },
      { type: 'ntfy', topic: 'lab', token: NTFY_TOKEN, baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 },
      { type: 'email', host: '127.0.0.1', port: 9, user: 'alerts@example.test', password: SMTP_PASSWORD, from: 'alerts@example.test', to: ['me@example.test'], maxAttempts: 1 }
    ]
  })
  await world.poll()
  const secrets = [WECOM_KEY, 'feishu-token-burst', 'feishu-secret-burst', 'ding-token-burst', 'SECding-secret-burst', 'SCT-key-burst-01', 'pushplus-token-burst', 'bark-device-burst', NTFY_TOKEN, SMTP_PASSWORD, WEBHOOK_SECRET]
  const failures = world.captured.entries().filter(e => e['msg'] === 'alert delivery failed; giving up')
  t.equal(failures.length, 8, 'every channel tried and gave up')
  const output = world.captured.lines.join('\n')
  for (const secret of secrets) {
    t.notOk(output.includes(secret), `${secret.slice(0, 6)}… not in the log`)
    t.equal(world.captured.secrets.scrub(`x ${secret} x`), 'x [redacted] x', `${secret.slice(0, 6)}… registered`)
  }
})

t.test('a webhook delivery still failing when the host stops is delivered after the restart, with the same delivery id', async t => {
  const world = await alertsWorld(t, await burst(t, 1), { webhookEvents: ['release.approaching'] })
  world.hooks.failNext(1000)
  await world.host.aggregator.refresh()
  await world.host.alerts.evaluate()
  while (world.hooks.deliveries.length < 2) await new Promise(resolve => setTimeout(resolve, 5))
  const id = world.hooks.deliveries[0]!.headers['x-computewatch-delivery']
  world.hooks.failNext(0)
  const second = await world.restart()
  await second.host.dispatcher.flush()
  const delivered = second.hooks.deliveries.filter(d => d.status === 204)
  t.equal(delivered.length, 1, 'delivered once, after the restart')
  t.equal(delivered[0]?.headers['x-computewatch-delivery'], id, 'with the delivery id of the first attempts')
  await second.poll()
  t.equal(second.hooks.deliveries.filter(d => d.status === 204).length, 1, 'and the alert is not raised again')
})
