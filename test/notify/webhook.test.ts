import { createHmac, timingSafeEqual } from 'node:crypto'
import t from 'tap'
import type { Alert } from '../../src/notify/alert.js'
import { Dispatcher } from '../../src/notify/dispatcher.js'
import { WebhookChannel } from '../../src/notify/webhook.js'
import { captureLog } from '../helpers/log.js'
import { startWebhookReceiver } from '../helpers/webhook-receiver.js'

const SECRET = 'hook-secret-abcdefghijklmnop'

function alert (overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'delivery-1', event: 'release.approaching', rule: 'release', at: '2026-11-21T08:00:00.000Z',
    provider: { id: 'lab', type: 'autodl' }, instance: null,
    text: { zh: '⏳ 641机 将在 23小时后释放', en: '⏳ 641机 will be released in 23h' },
    data: { hoursBefore: 24 }, ...overrides
  }
}

/** What a receiver does to verify a delivery. */
function verify (secret: string, headers: Record<string, unknown>, body: string): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(`${String(headers['x-computewatch-timestamp'])}.${body}`).digest('hex')}`
  const given = String(headers['x-computewatch-signature'] ?? '')
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))
}

t.test('a delivery: versioned JSON in both languages, identified, timestamped and signed', async t => {
  const receiver = await startWebhookReceiver(t)
  const { log } = captureLog()
  const channel = new WebhookChannel({ name: 'webhook', url: receiver.url, secret: SECRET, events: ['*'], maxAttempts: 3 }, { log, version: '1.2.3', retryBaseMs: 10 })
  channel.send([alert()])
  await channel.flush()
  const [d] = receiver.deliveries
  t.same(d?.json, {
    version: 1, id: 'delivery-1', event: 'release.approaching', at: '2026-11-21T08:00:00.000Z', provider: { id: 'lab', type: 'autodl' }, instance: null,
    message: { zh: '⏳ 641机 将在 23小时后释放', en: '⏳ 641机 will be released in 23h' }, data: { hoursBefore: 24 }
  })
  t.match(d?.headers, { 'content-type': 'application/json', 'user-agent': 'computewatch/1.2.3', 'x-computewatch-event': 'release.approaching', 'x-computewatch-delivery': 'delivery-1' })
  t.ok(Math.abs(Number(d?.headers['x-computewatch-timestamp']) - Date.now() / 1000) < 60)
  t.ok(verify(SECRET, d!.headers, d!.body), 'the receiver can verify the signature')
  t.notOk(verify('another-secret-0000000000', d!.headers, d!.body), 'and a wrong secret does not verify')
  t.notOk(verify(SECRET, d!.headers, d!.body.replace('23h', '24h')), 'nor a changed body')
})

t.test('retried with back-off on 5xx, with the same delivery id; given up after maxAttempts', async t => {
  const receiver = await startWebhookReceiver(t, { failFirst: 2 })
  const captured = captureLog()
  const channel = new WebhookChannel({ name: 'webhook', url: receiver.url, secret: SECRET, events: ['*'], maxAttempts: 4 }, { log: captured.log, version: 't', retryBaseMs: 10 })
  channel.send([alert({ id: 'delivery-2' })])
  await channel.flush()
  t.same(receiver.deliveries.map(d => [d.status, d.headers['x-computewatch-delivery']]), [[500, 'delivery-2'], [500, 'delivery-2'], [204, 'delivery-2']])
  receiver.failNext(10)
  channel.send([alert({ id: 'delivery-3' })])
  await channel.flush()
  t.equal(receiver.deliveries.filter(d => d.headers['x-computewatch-delivery'] === 'delivery-3').length, 4, 'maxAttempts 4')
  const gaveUp = captured.entries().find(e => e['msg'] === 'alert delivery failed; giving up')
  t.match(gaveUp, { channel: 'webhook', delivery: 'delivery-3', err: { message: /^127\.0\.0\.1:\d+ answered HTTP 500$/ } })
  t.notOk(captured.lines.join('\n').includes('/hooks/cw'), 'the URL path (which may hold a token) is not logged')
})

t.test('a receiver that is down is retried, then given up; the host is not disturbed', async t => {
  const captured = captureLog()
  const channel = new WebhookChannel({ name: 'webhook', url: 'http://127.0.0.1:9/hook', secret: null, events: ['*'], maxAttempts: 2 }, { log: captured.log, version: 't', retryBaseMs: 10 })
  channel.send([alert()])
  await channel.flush()
  t.match(captured.entries().find(e => e['msg'] === 'alert delivery failed; giving up'), { channel: 'webhook', err: { message: '127.0.0.1:9: ECONNREFUSED' } }, 'given up, and said so')
})

t.test('only the configured events; telegram-only alerts never; no signature without a secret', async t => {
  const receiver = await startWebhookReceiver(t)
  const { log } = captureLog()
  const channel = new WebhookChannel({ name: 'webhook', url: receiver.url, secret: null, events: ['gpu.freed'], maxAttempts: 1 }, { log, version: 't' })
  const dispatcher = new Dispatcher([channel])
  dispatcher.send(alert())
  dispatcher.send(alert({ id: 'g1', event: 'gpu.freed', rule: 'gpu' }))
  dispatcher.send(alert({ id: 'g2', event: 'gpu.freed', rule: 'gpu', telegramOnly: true }))
  await dispatcher.flush()
  t.same(receiver.deliveries.map(d => d.json.id), ['g1'])
  t.equal(receiver.deliveries[0]?.headers['x-computewatch-signature'], undefined)
})
