import t, { type Test } from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { buildHost } from '../../src/app.js'
import { parseConfig } from '../../src/config/load.js'
import { createRegistry } from '../../src/core/registry.js'
import { memoryStateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'
import { botMessages, press, pump, recordBotCalls, startTelegramEmulator, waitForMessage } from '../helpers/telegram.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'

const TOKEN = '123456789:POWER-test'
const OPERATOR = 501
const READER = 502
const OTHER_OPERATOR = 503
const OWNER = 504

async function setup (t: Test) {
  const stopped = new Date(Date.now() - 3 * 86400_000)
  const simulator = await startAutodlSimulator({
    transitionMs: 60,
    accounts: [
      { phone: '13800000000', password: 'pw', instances: [
        makeInstance({ uuid: 'aa11-trainer', machine_id: 'hostA', name: 'trainer', region_name: '西北B区', status: 'shutdown', snapshot_gpu_alias_name: 'RTX 4090', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 3, payg_price: 1880, stopped_at: nullTime(stopped) }),
        makeInstance({ uuid: 'bb22-crowded', machine_id: 'hostB', name: 'crowded', region_name: '北京A区', status: 'shutdown', snapshot_gpu_alias_name: 'A800', req_gpu_amount: 2, gpu_all_num: 8, gpu_idle_num: 1, payg_price: 11600, stopped_at: nullTime(stopped) }),
        makeInstance({ uuid: 'cc33-runner', machine_id: 'hostC', name: 'runner', region_name: '北京A区', status: 'running', req_gpu_amount: 1, gpu_all_num: 4, gpu_idle_num: 0, payg_price: 1320 }),
        makeInstance({ uuid: 'dd44-trainer2', machine_id: 'hostD', name: 'trainer-2', region_name: '西北B区', status: 'shutdown', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 5, payg_price: 1880, stopped_at: nullTime(stopped) })
      ] },
      { phone: '13900000000', password: 'own-pw', instances: [makeInstance({ uuid: 'ee55-mine', machine_id: 'hostE', name: 'my-box', status: 'running', gpu_idle_num: 1 })] }
    ]
  })
  t.teardown(() => simulator.close())
  const telegram = await startTelegramEmulator(t)
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({
    telegram: { token: TOKEN, apiRoot: telegram.config.apiURL, allowedUserIds: [READER, OWNER], operatorUserIds: [OPERATOR, OTHER_OPERATOR], language: 'en', accounts: { baseUrl: simulator.url } },
    providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }]
  }, { registry, alertRules: ALERT_RULES, env: {} })
  const captured = captureLog()
  const host = await buildHost(config, { registry, log: captured.log, secrets: captured.secrets, store: memoryStateStore(), version: 't', followIntervalMs: 20 })
  t.teardown(() => host.stop())
  await host.aggregator.refresh()
  const bot = host.bot!.bot
  const say = async (userId: number, text: string): Promise<void> => {
    const client = telegram.getClient(TOKEN, { userId, chatId: userId })
    await client.sendCommand(client.makeCommand(text))
    await pump(bot)
  }
  const last = (chatId: number) => botMessages(telegram, chatId).at(-1)!
  const tap = (chatId: number, label: string, userId = chatId) => press(telegram, bot, TOKEN, chatId, label, userId)
  const powerOns = () => simulator.requests.filter(r => r.path === '/api/v1/instance/power_on').map(r => r.body)
  return { host, simulator, telegram, say, last, tap, powerOns }
}

t.test('/on: confirmation with GPU and price, then the same message follows the action to running', async t => {
  const { say, last, tap, telegram, powerOns, host } = await setup(t)
  await say(OPERATOR, '/on trainer')
  const ask = last(OPERATOR)
  t.equal(ask.text, '⚡ Power on 西北B区 / trainer with GPU: 1× RTX 4090, billed at ¥1.88/h. Confirm?')
  t.same(ask.buttons.map(b => b.text), ['✅ Confirm', '✖ Cancel'])
  t.same(powerOns(), [], 'nothing runs before the confirmation')
  await tap(OPERATOR, '✅ Confirm')
  const done = await waitForMessage(telegram, OPERATOR, /^✅ power on trainer: done, running \(took \d+s\)$/)
  t.equal(done.messageId, ask.messageId, 'the confirmation message itself was edited')
  t.same(powerOns(), [{ instance_uuid: 'aa11-trainer' }])
  const audit = await host.audit.list({ visible: () => true })
  t.match(audit[0], { action: 'power-on', result: 'succeeded', actor: { kind: 'telegram', userId: OPERATOR } })
})

t.test('no argument: candidates as buttons; an ambiguous name too; Cancel does nothing', async t => {
  const { say, last, tap, powerOns } = await setup(t)
  await say(OPERATOR, '/on')
  t.equal(last(OPERATOR).text, 'Choose the instance to power on:')
  t.same(last(OPERATOR).buttons.map(b => b.text).sort(), ['北京A区 / crowded (lab)', '西北B区 / trainer (lab)', '西北B区 / trainer-2 (lab)'], 'only stopped instances can be powered on')
  await say(OPERATOR, '/on trai')
  t.same(last(OPERATOR).buttons.map(b => b.text).sort(), ['西北B区 / trainer (lab)', '西北B区 / trainer-2 (lab)'], 'a prefix matching two names')
  await tap(OPERATOR, '西北B区 / trainer-2')
  t.match(last(OPERATOR).text, '⚡ Power on 西北B区 / trainer-2 with GPU')
  await tap(OPERATOR, '✖ Cancel')
  t.equal(last(OPERATOR).text, 'Cancelled; nothing was done.')
  t.same(powerOns(), [])
  await say(OPERATOR, '/off trainer')
  t.equal(last(OPERATOR).text, 'Cannot power off trainer: it is stopped now.')
  await say(OPERATOR, '/on zzz')
  t.equal(last(OPERATOR).text, 'No instance name or id matches "zzz".')
})

t.test('a reader may not act; another user cannot confirm your request', async t => {
  const { say, last, tap, powerOns, telegram } = await setup(t)
  await say(READER, '/on trainer')
  t.equal(last(READER).text, `You may read but not act. Ask the admin to add your id (${READER}) to telegram.operatorUserIds.`)
  await say(OPERATOR, '/off runner')
  const ask = last(OPERATOR)
  t.equal(ask.text, '⏻ Power off 北京A区 / runner: billing stops; if it stays off, it is released in 15 days. Confirm?')
  const calls = recordBotCalls(t)
  await tap(OPERATOR, '✅ Confirm', OTHER_OPERATOR)
  t.match(calls.find(c => c.method === 'answerCallbackQuery')?.payload, { text: 'Only the user who asked can confirm this.', show_alert: true })
  t.equal(botMessages(telegram, OPERATOR).find(m => m.messageId === ask.messageId)?.text, ask.text, 'unchanged')
  t.equal(powerOns().length, 0)
})

t.test('not enough idle GPUs: refused with the numbers, and [No-GPU mode] / [Watch] instead', async t => {
  const { say, last, tap, telegram, simulator, host } = await setup(t)
  await say(OPERATOR, '/on crowded')
  t.equal(last(OPERATOR).text, '⚠️ The host of crowded has 1 of 8 GPUs idle and the instance needs 2: a power-on with GPU would fail now.')
  t.same(last(OPERATOR).buttons.map(b => b.text), ['No-GPU mode', 'Watch for a free GPU'])
  await tap(OPERATOR, 'Watch for a free GPU')
  t.match(last(OPERATOR).text, '👀 Watching the host of 北京A区 / crowded (idle 1/8 now, needs 2)')
  t.equal((await host.watches.all(OPERATOR)).length, 1)
  await tap(OPERATOR, 'No-GPU mode')
  t.equal(last(OPERATOR).text, '⚡ Power on 北京A区 / crowded in no-GPU mode: no GPU, billed at the provider\'s no-GPU rate (not ¥11.60/h). Confirm?')
  await tap(OPERATOR, '✅ Confirm')
  await waitForMessage(telegram, OPERATOR, /^✅ power on in no-GPU mode crowded: done, running/)
  t.same(simulator.requests.filter(r => r.path === '/api/v1/instance/power_on').map(r => r.body), [{ instance_uuid: 'bb22-crowded', payload: 'non_gpu' }])
})

t.test('/keepalive: no-GPU on, off, and the new release time', async t => {
  const { say, last, tap, telegram, simulator } = await setup(t)
  await say(OPERATOR, '/keepalive trainer')
  t.match(last(OPERATOR).text, '♻️ Keep 西北B区 / trainer alive: power on in no-GPU mode, then off')
  await tap(OPERATOR, '✅ Confirm')
  const done = await waitForMessage(telegram, OPERATOR, /^✅ Kept trainer alive: new release time \d{4}-\d\d-\d\d \d\d:\d\d$/)
  t.ok(done)
  t.same(simulator.requests.filter(r => r.path.startsWith('/api/v1/instance/power')).map(r => r.path), ['/api/v1/instance/power_on', '/api/v1/instance/power_off'])
})

t.test('a provider refusal ends the message with the provider\'s words', async t => {
  const { say, tap, telegram, simulator } = await setup(t)
  simulator.inject('/api/v1/instance/power_on', { code: 'TORecharge', msg: '余额不足' })
  await say(OPERATOR, '/on trainer')
  await tap(OPERATOR, '✅ Confirm')
  await waitForMessage(telegram, OPERATOR, /^❌ power on trainer failed: AutoDL \/api\/v1\/instance\/power_on: TORecharge \(余额不足\)$/)
})

t.test('the owner of an account added through the bot acts on it without being an operator', async t => {
  const { say, last, tap, telegram, host } = await setup(t)
  await say(OWNER, '/user 13900000000')
  await say(OWNER, '/password own-pw')
  await say(OWNER, '/off my-box')
  t.match(last(OWNER).text, '⏻ Power off 北京A区 / my-box')
  await tap(OWNER, '✅ Confirm')
  await waitForMessage(telegram, OWNER, /^✅ power off my-box: done, stopped/)
  await say(READER, '/off my-box')
  t.equal(last(READER).text, 'No instance name or id matches "my-box".', 'other users do not even see it')
  t.ok((await host.audit.list({ visible: () => true })).some(e => e.actor.kind === 'telegram' && e.actor.userId === OWNER && e.result === 'succeeded'))
})

t.test('an unknown or expired button says so, and does nothing', async t => {
  const { telegram, host } = await setup(t)
  const calls = recordBotCalls(t)
  const client = telegram.getClient(TOKEN, { userId: OPERATOR, chatId: OPERATOR })
  await client.sendCallback(client.makeCallbackQuery('cw:doesnotexist', { message: { message_id: 1, chat: { id: OPERATOR, type: 'private' } } as never }))
  await pump(host.bot!.bot)
  t.same(calls.filter(c => c.method !== 'getUpdates' && c.method !== 'getMe').map(c => [c.method, c.payload['text'], c.payload['show_alert']]),
    [['answerCallbackQuery', 'This button has expired; send the command again.', true]], 'one answer, no message, no action')
})

t.test('/audit is for operators: the registry refuses a reader before the handler runs', async t => {
  const { say, last, host } = await setup(t)
  await host.audit.append({ actor: { kind: 'api', key: 'ops' }, action: 'mute', target: { provider: 'lab' }, result: 'succeeded' })
  await say(READER, '/audit')
  t.match(last(READER).text, `${READER}`, 'refused, with the reader\'s own id')
  t.notMatch(last(READER).text, 'api:ops', 'the audit log is not shown')
  await say(OPERATOR, '/audit')
  t.match(last(OPERATOR).text, 'api:ops')
})

t.test('a confirmation is single-use: a replay of its callback data answers "used" and does nothing', async t => {
  const { say, last, telegram, simulator, host } = await setup(t)
  await say(OPERATOR, '/off runner')
  const ask = last(OPERATOR)
  const confirm = ask.buttons.find(b => b.text === '✅ Confirm')!
  const client = telegram.getClient(TOKEN, { userId: OPERATOR, chatId: OPERATOR })
  const replay = async (): Promise<void> => {
    await client.sendCallback(client.makeCallbackQuery(confirm.data, { message: { message_id: ask.messageId, chat: { id: OPERATOR, type: 'private' } } as never }))
    await pump(host.bot!.bot)
  }
  const calls = recordBotCalls(t)
  await replay()
  await waitForMessage(telegram, OPERATOR, /^✅ power off runner: done, stopped/)
  const powerOffs = () => simulator.requests.filter(r => r.path === '/api/v1/instance/power_off').length
  t.equal(powerOffs(), 1, 'the first press ran it')
  // Running again later: a replayed confirmation would power it off a second time.
  const on = await host.actions.start({ kind: 'power-on', providerId: 'lab', instanceId: 'cc33-runner', mode: 'gpu', actor: { kind: 'api', key: 'test' }, viewer: 'all' })
  t.match(await host.actions.settled(on.id), { status: 'succeeded' })
  await replay()
  t.match(calls.filter(c => c.method === 'answerCallbackQuery').at(-1)?.payload, { text: /used already/, show_alert: true })
  t.equal(powerOffs(), 1, 'the replay sent nothing to the provider')
  t.equal((await host.audit.list({ visible: () => true })).filter(e => e.action === 'power-off' && e.result === 'requested').length, 1, 'and started no action')
})
