import t from 'tap'
import { builtinProviders } from '../providers/index.js'
import { ALERT_RULES } from '../src/alerts/rules/index.js'
import { buildHost } from '../src/app.js'
import { parseConfig } from '../src/config/load.js'
import { createRegistry } from '../src/core/registry.js'
import { memoryStateStore } from '../src/core/store.js'
import { makeInstance, nullTime } from '../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../src/demo/simulators/autodl/server.js'
import { captureLog } from './helpers/log.js'
import { botMessages, press, pump, startTelegramEmulator, waitForMessage } from './helpers/telegram.js'
import { startWebhookReceiver } from './helpers/webhook-receiver.js'

/**
 * The privacy matrix: two users add their own AutoDL accounts through the bot and use them (a mute, a
 * watch, a power-off, alerts). Then every bot command runs as each of them and as an operator, and every
 * API route as a read key and a control key; a webhook receives every event. Nobody may see or act on
 * what belongs to another: an account added through the bot is its owner's alone.
 */
const TOKEN = '123456789:PRIVACY-test'
const OPERATOR = 100
const ALICE = 200
const BOB = 300
const READ_KEY = 'privacy-read-key-0123456789'
const CONTROL_KEY = 'privacy-control-key-0123456789'

/** What must never leak of each user's account: its entry id, instance names and ids, host. */
const TRACES: Record<number, string[]> = {
  [ALICE]: ['tg-200', 'alice-box', 'a1-alice', 'hostAlice'],
  [BOB]: ['tg-300', 'bob-box', 'b1-bob', 'hostBob']
}
const ALL_TRACES = [...TRACES[ALICE]!, ...TRACES[BOB]!]

function leaks (text: string, traces: readonly string[]): string[] {
  return traces.filter(trace => text.includes(trace))
}

t.test('privacy matrix: accounts added through the bot are their owner\'s alone, on every surface', async t => {
  const releasing = nullTime(new Date(Date.now() - (15 * 24 - 5) * 3600_000)) // released in 5 h: an alert
  const simulator = await startAutodlSimulator({
    transitionMs: 30,
    accounts: [
      { phone: '13800000000', password: 'pw', instances: [makeInstance({ uuid: 'lab-1', machine_id: 'hostLab', name: 'lab-box', status: 'shutdown', gpu_idle_num: 2, stopped_at: releasing })] },
      { phone: '13900000200', password: 'alice-pw', instances: [makeInstance({ uuid: 'a1-alice', machine_id: 'hostAlice', name: 'alice-box', status: 'running', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 0 })] },
      { phone: '13900000300', password: 'bob-pw', instances: [makeInstance({ uuid: 'b1-bob', machine_id: 'hostBob', name: 'bob-box', status: 'shutdown', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 0, stopped_at: releasing })] }
    ]
  })
  t.teardown(() => simulator.close())
  const telegram = await startTelegramEmulator(t)
  const hooks = await startWebhookReceiver(t)
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({
    telegram: { token: TOKEN, apiRoot: telegram.config.apiURL, allowedUserIds: [ALICE, BOB], operatorUserIds: [OPERATOR], language: 'en', accounts: { baseUrl: simulator.url } },
    api: { apiKeys: [{ name: 'grafana', key: READ_KEY, scopes: ['read'] }, { name: 'ops', key: CONTROL_KEY, scopes: ['read', 'control'] }] },
    notify: { webhooks: [{ url: hooks.url, secret: 'privacy-webhook-secret-0123', events: ['*'], maxAttempts: 1 }] },
    providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }]
  }, { registry, alertRules: ALERT_RULES, env: {} })
  const captured = captureLog()
  const host = await buildHost(config, { registry, log: captured.log, secrets: captured.secrets, store: memoryStateStore(), version: 't', followIntervalMs: 20 })
  host.alerts.start()
  t.teardown(() => host.stop())
  const bot = host.bot!.bot
  const say = async (userId: number, text: string): Promise<void> => {
    const client = telegram.getClient(TOKEN, { userId, chatId: userId })
    await client.sendCommand(client.makeCommand(text))
    await pump(bot)
  }
  const settle = async (): Promise<void> => {
    await host.aggregator.refresh()
    await host.alerts.evaluate()
    await host.dispatcher.flush()
  }

  // Each user adds an account and uses it: a mute, a watch, a power action; alerts follow.
  await say(ALICE, '/user 13900000200')
  await say(ALICE, '/password alice-pw')
  await say(BOB, '/user 13900000300')
  await say(BOB, '/password bob-pw')
  await settle()
  t.same(host.aggregator.ids().sort(), ['lab', 'tg-200', 'tg-300'])
  await say(ALICE, '/mute alice-box 1h')
  await say(ALICE, '/watch alice-box')
  await say(BOB, '/watch bob-box')
  await say(ALICE, '/off alice-box')
  await press(telegram, bot, TOKEN, ALICE, '✅ Confirm')
  await waitForMessage(telegram, ALICE, /power off alice-box: done/)
  await say(OPERATOR, '/mute lab-box 1h')
  simulator.setHostIdle('hostBob', 3) // Bob's watch fires
  await settle()
  const aliceAction = (await host.audit.list({ visible: () => true })).find(e => e.target.provider === 'tg-200' && e.actionId)!.actionId!
  const aliceMute = (await host.mutes.list('all')).find(m => m.target.provider === 'tg-200')!.id
  t.ok(botMessages(telegram, BOB).some(m => m.text.includes('bob-box has idle GPUs')), 'Bob was told about his own watch')
  t.ok(botMessages(telegram, BOB).some(m => m.text.includes('bob-box') && m.text.includes('released')), 'and of his own release')

  // Every bot command as each viewer: first what shows things, then attempts on the other user's account.
  const reads = ['/start', '/help', '/gpuvalid', '/status', '/mute', '/watches', '/on', '/off', '/audit']
  for (const viewer of [ALICE, BOB, OPERATOR]) for (const command of reads) await say(viewer, command)
  for (const [viewer, others] of [[ALICE, TRACES[BOB]!], [BOB, TRACES[ALICE]!], [OPERATOR, ALL_TRACES]] as const) {
    const seen = botMessages(telegram, viewer).flatMap(m => [m.text, ...m.buttons.map(b => b.text)]).join('\n')
    t.same(leaks(seen, others), [], `bot user ${viewer} sees nothing of another user's account`)
  }
  t.match(botMessages(telegram, ALICE).map(m => m.text).join('\n'), 'alice-box', 'an owner sees their own (a view that hid everything would fail here)')
  t.match(botMessages(telegram, OPERATOR).map(m => m.text).join('\n'), 'lab-box')

  // Attempts on the other's account answer exactly as for an account that does not exist.
  const attempts = (entry: string, name: string): string[] =>
    [`/mute ${entry} 1h`, `/mute ${name} 1h`, `/unmute ${name}`, `/unmute ${entry}`, `/watch ${name}`, `/unwatch ${name}`, `/on ${name}`, `/off ${name}`, `/keep ${name}`]
  const powerBefore = simulator.requests.filter(r => r.path.startsWith('/api/v1/instance/power')).length
  for (const [viewer, other] of [[ALICE, BOB], [BOB, ALICE], [OPERATOR, ALICE], [OPERATOR, BOB]] as const) {
    const [entry, name] = TRACES[other]!
    for (const [real, unknown] of attempts(entry!, name!).map((c, i) => [c, attempts('tg-999', 'nobody-box')[i]!] as const)) {
      await say(viewer, real)
      const answer = botMessages(telegram, viewer).at(-1)!
      await say(viewer, unknown)
      const baseline = botMessages(telegram, viewer).at(-1)!
      t.equal(answer.text.replaceAll(entry!, 'tg-999').replaceAll(name!, 'nobody-box'), baseline.text, `${viewer}: "${real}" answers as if nothing were there`)
      t.same(leaks(answer.text, TRACES[other]!.slice(2)), [], 'no instance id or host')
    }
  }
  t.equal(simulator.requests.filter(r => r.path.startsWith('/api/v1/instance/power')).length, powerBefore, 'no command acted on another user\'s instance')
  t.same((await host.mutes.list('all')).map(m => m.target.provider).sort(), ['lab', 'tg-200'], 'no mute was added on another user\'s account')
  t.same((await host.watches.all()).map(w => `${w.userId}:${w.provider}`).sort(), ['200:tg-200', '300:tg-300'], 'nor a watch')

  // Every API route as a read key and a control key.
  const call = async (key: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const res = await host.api.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) })
    return { status: res.statusCode, body: res.body }
  }
  for (const key of [READ_KEY, CONTROL_KEY]) {
    const answers = [
      await call(key, 'GET', '/api/v1/instances'),
      await call(key, 'GET', '/api/v1/instances?provider=tg-200'),
      await call(key, 'GET', '/api/v1/providers'),
      await call(key, 'GET', '/metrics'),
      await call(key, 'GET', '/api/v1/mutes'),
      await call(key, 'GET', '/api/v1/audit?limit=1000'),
      await call(key, 'GET', '/api/v1/audit?provider=tg-200'),
      await call(key, 'GET', '/healthz')
    ]
    for (const answer of answers) t.same(leaks(answer.body, ALL_TRACES), [], `${key === READ_KEY ? 'read' : 'control'} key: nothing of bot-added accounts`)
    t.equal((await call(key, 'GET', `/api/v1/actions/${aliceAction}`)).status, 404, 'Alice\'s action record does not exist for a key')
    t.match((await call(key, 'GET', '/api/v1/instances')).body, 'lab-box', 'configured entries are shown')
  }
  const apiAttempts: Array<[string, 'POST' | 'DELETE', string, object?]> = [
    ['tg-200', 'POST', '/api/v1/instances/tg-200/a1-alice/power-on', { mode: 'gpu' }],
    ['tg-300', 'POST', '/api/v1/instances/tg-300/b1-bob/power-off'],
    ['tg-200', 'POST', '/api/v1/mutes', { target: 'tg-200', duration: '1h' }],
    ['bob-box', 'POST', '/api/v1/mutes', { target: 'bob-box', duration: '1h' }],
    [aliceMute, 'DELETE', `/api/v1/mutes/${aliceMute}`],
    [aliceAction, 'GET' as 'POST', `/api/v1/actions/${aliceAction}`]
  ]
  for (const [secret, method, url, payload] of apiAttempts) {
    const real = await call(CONTROL_KEY, method, url, payload)
    const fake = (text: string): string => text.replaceAll(secret, 'nothing').replaceAll('a1-alice', 'zz').replaceAll('b1-bob', 'zz')
    const unknown = await call(CONTROL_KEY, method, fake(url), payload ? JSON.parse(fake(JSON.stringify(payload))) : undefined)
    t.equal(real.status, 404, `${method} ${url}: 404`)
    t.equal(fake(real.body), unknown.body, 'the same answer as for something that never existed')
  }
  t.ok((await host.mutes.list('all')).some(m => m.id === aliceMute), 'Alice\'s mute is still there')
  t.equal(simulator.requests.filter(r => r.path.startsWith('/api/v1/instance/power')).length, powerBefore)

  // The webhook got the configured entry's alerts and nothing of the users' accounts.
  await host.dispatcher.flush()
  const delivered = hooks.deliveries.map(d => JSON.stringify(d.json)).join('\n')
  t.match(delivered, 'lab-box', 'the webhook works (the configured entry\'s release alert)')
  t.same(leaks(delivered, ALL_TRACES), [], 'no event of a bot-added account reached the webhook')
})
