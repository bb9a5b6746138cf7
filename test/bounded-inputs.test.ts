import t from 'tap'
import { MAX_PROVIDER_TEXT } from '../src/core/errors.js'
import { demoInstances, manyInstances } from '../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../src/demo/simulators/autodl/server.js'
import { TELEGRAM_TEXT_LIMIT } from '../src/bot/message-limits.js'
import { alertsWorld, OPERATOR, READER } from './helpers/alerts-world.js'
import { botMessages, pump } from './helpers/telegram.js'

const PHONE = '13800000000'
const PASSWORD = 'pw'

t.test('a 2 MB provider message is cut to 300 characters in the status, the logs, the webhook and Telegram', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: PHONE, password: PASSWORD, instances: demoInstances(new Date()) }] })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: PHONE, password: PASSWORD, baseUrl: simulator.url }], { alerts: { providerFailuresBeforeAlert: 1 } })
  await world.poll()
  const huge = `内部错误 ${'x'.repeat(2_000_000)}`
  simulator.inject('/api/v1/instance', { code: 'InternalError', msg: huge }, 10)
  for (let i = 0; i < 3; i++) await world.poll()
  const providers = (await world.host.api.inject({ method: 'GET', url: '/api/v1/providers' })).json()
  const error = providers[0].error
  t.match(error, { code: 'CW_ERR_PROVIDER_API', message: /^AutoDL \/api\/v1\/instance: InternalError \(内部错误 x+/ })
  t.ok(error.message.length <= MAX_PROVIDER_TEXT, `status: ${error.message.length} characters`)
  const longest = Math.max(...world.captured.lines.map(l => l.length))
  t.ok(longest < 3_000, `log lines: at most ${longest} characters`)
  const deliveries = world.hooks.deliveries
  t.ok(deliveries.length > 0, 'the provider alert reached the webhook')
  t.ok(deliveries.every(d => JSON.stringify(d.json).length < 5_000), `webhook bodies: at most ${Math.max(...deliveries.map(d => JSON.stringify(d.json).length))} characters`)
  const messages = [...botMessages(world.telegram, OPERATOR), ...botMessages(world.telegram, READER)]
  t.ok(messages.some(m => m.text.includes('InternalError')), 'the alert reached Telegram')
  t.ok(messages.every(m => m.text.length <= TELEGRAM_TEXT_LIMIT))
  t.ok(messages.every(m => !m.text.includes('x'.repeat(MAX_PROVIDER_TEXT))), 'cut, not passed on')
})

t.test('limits.maxResponseMB: a larger answer is not read and fails the poll with CW_ERR_PROVIDER_RESPONSE', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: PHONE, password: PASSWORD, instances: demoInstances(new Date()) }] })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: PHONE, password: PASSWORD, baseUrl: simulator.url }], { limits: { maxResponseMB: 1 } })
  simulator.inject('/api/v1/instance', { status: 200, body: { code: 'Success', msg: '', data: { list: [], padding: 'y'.repeat(3 * 1024 * 1024) } } }, 3)
  await world.poll()
  const [status] = world.host.aggregator.snapshot.providers
  t.match(status?.error, { code: 'CW_ERR_PROVIDER_RESPONSE', message: 'AutoDL POST /api/v1/instance: the answer is larger than 1 MB (limits.maxResponseMB); not read' })
  t.equal(simulator.stats.requests['/api/v1/instance'], 1, 'not retried')
  await world.poll()
  t.equal(world.host.aggregator.snapshot.providers[0]?.ok, false)
})

t.test('limits.maxInstancesPerEntry: a longer list fails the poll, naming the limit', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: PHONE, password: PASSWORD, instances: manyInstances(12) }] })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: PHONE, password: PASSWORD, baseUrl: simulator.url }], { limits: { maxInstancesPerEntry: 10 } })
  await world.poll()
  const [status] = world.host.aggregator.snapshot.providers
  t.match(status?.error, { code: 'CW_ERR_PROVIDER_RESPONSE', message: 'autodl listed 12 instances, more than limits.maxInstancesPerEntry (10)' })
  t.equal(world.host.aggregator.snapshot.instances.length, 0)
})

t.test('every Telegram text fits: a long message is split at line breaks (keyboard on the last), an edit is cut', async t => {
  const world = await alertsWorld(t, [])
  const telegram = world.host.bot!.bot.telegram
  const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'z'.repeat(20)}`)
  await telegram.sendMessage(READER, lines.join('\n'), { reply_markup: { inline_keyboard: [[{ text: 'OK', callback_data: 'x' }]] } })
  const sent = botMessages(world.telegram, READER)
  t.ok(sent.length >= 3, `${sent.length} messages`)
  t.ok(sent.every(m => m.text.length <= TELEGRAM_TEXT_LIMIT))
  t.equal(sent.map(m => m.text).join('\n'), lines.join('\n'), 'nothing lost, nothing cut')
  t.same(sent.map(m => m.buttons.length), [...sent.slice(1).map(() => 0), 1], 'the keyboard on the last part only')
  const one = await telegram.sendMessage(READER, 'short')
  await telegram.editMessageText(READER, one.message_id, undefined, 'e'.repeat(10_000)).catch(() => {})
  await pump(world.host.bot!.bot)
  const edited = world.telegram.storage.botMessages.filter(m => String(m.message.text ?? '').startsWith('eee'))
  t.ok(edited.every(m => String(m.message.text).length <= TELEGRAM_TEXT_LIMIT), 'an edit is cut')
})
