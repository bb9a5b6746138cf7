import t, { type Test } from 'tap'
import { makeInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { alertsWorld, OPERATOR, READER, TOKEN, type World } from '../helpers/alerts-world.js'
import { press, replies, waitForMessage } from '../helpers/telegram.js'
import { until } from '../helpers/until.js'

const OPS = 'ops-key-0123456789abcdef'
const MIN = 60_000
const HOUR = 60 * MIN

/** One account: `trainer` shut down (¥1.88/h, a GPU idle on its host), `eval` running (¥2.00/h). */
async function lab (t: Test) {
  const simulator = await startAutodlSimulator({
    transitionMs: 40,
    accounts: [{
      phone: '13800000000', password: 'pw', balance: 100_000, instances: [
        makeInstance({ uuid: 'r1', machine_id: 'm-1', name: 'trainer', region_name: '西北B区', status: 'shutdown', payg_price: 1880, gpu_idle_num: 2 }),
        makeInstance({ uuid: 'r2', machine_id: 'm-2', name: 'eval', region_name: '西北B区', status: 'running', payg_price: 2000 })
      ]
    }]
  })
  t.teardown(() => simulator.close())
  return { simulator, entries: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }] }
}

const apiOptions = { api: { apiKeys: [{ name: 'ops', key: OPS, scopes: ['read', 'control'] }] } }
const auth = { authorization: `Bearer ${OPS}` }

async function instanceView (world: World, id: string): Promise<Record<string, unknown> | undefined> {
  const body = (await world.host.api.inject({ url: '/api/v1/instances', headers: auth })).json() as { instances: Array<Record<string, unknown>> }
  return body.instances.find(i => i.id === id)
}

t.test('/on <instance> for 3h: the confirmation says when and what it costs; warned 10 min before with [Extend] [Stop now]; fires after a restart', async t => {
  const { simulator, entries } = await lab(t)
  const world = await alertsWorld(t, entries, apiOptions)
  await world.poll()
  replies(world.telegram, OPERATOR)

  await world.say(OPERATOR, '/on trainer for 3h')
  const [confirmation] = replies(world.telegram, OPERATOR)
  t.match(confirmation, /^⚡ Power on 西北B区 \/ trainer with GPU/)
  t.match(confirmation, /⏱ A stop timer powers it off after 3h \(\d{4}-\d\d-\d\d \d\d:\d\d\), about ¥5\.64 at the listed price \(estimate\)\./)
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, '✅ Confirm')
  await waitForMessage(world.telegram, OPERATOR, /✅ power on .*trainer: done/)
  t.equal(simulator.instance('r1')?.status, 'running')

  const stopAt = world.host.timers.get('lab', 'r1')?.stopAt
  t.ok(stopAt, 'the timer is set')
  t.equal(Date.parse(stopAt!) - world.now().getTime() > 3 * HOUR - MIN, true, 'three hours from the confirmation')
  t.equal((await instanceView(world, 'r1'))?.['stopAt'], stopAt, 'the view shows stopAt')
  t.equal((await instanceView(world, 'r2'))?.['stopAt'], undefined, 'only where a timer is set')
  const audit = await world.host.audit.list({ visible: () => true })
  t.match(audit.find(e => e.action === 'power-on' && e.result === 'requested'), { detail: `mode gpu; stop timer at ${stopAt}` })
  t.match(audit.find(e => e.action === 'stop-timer'), { actor: { kind: 'telegram', userId: OPERATOR }, detail: `set with the power-on, stops at ${stopAt}` })

  await world.say(OPERATOR, '/gpuvalid')
  t.match(replies(world.telegram, OPERATOR).join('\n'), /trainer .*⏱ stops in (3h|2h, 59m) ·/)

  // 2 h 51 min later: the warning, to the user who set it, with buttons.
  world.tick(2 * HOUR + 51 * MIN)
  await world.host.timers.check()
  await world.host.dispatcher.flush()
  const warning = (await waitForMessage(world.telegram, OPERATOR, /⏱ trainer \(lab\) will be powered off by its stop timer in [89]m \(/))
  t.same(warning.buttons.map(b => b.text), ['Extend 1 h', 'Stop now'])
  t.notOk(replies(world.telegram, READER).some(m => m.includes('stop timer')), 'not to other readers')
  const hook = world.hooks.deliveries.find(d => d.json.event === 'timer.warning')
  t.match(hook?.json.data, { stopAt })
  await world.host.timers.check()
  await world.host.dispatcher.flush()
  t.equal(world.hooks.deliveries.filter(d => d.json.event === 'timer.warning').length, 1, 'warned once')

  // [Extend 1 h] by the reader is refused; by the operator it moves the time an hour.
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, 'Extend 1 h', READER)
  t.equal(world.host.timers.get('lab', 'r1')?.stopAt, stopAt, 'a reader cannot extend')
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, 'Extend 1 h')
  const extended = world.host.timers.get('lab', 'r1')!.stopAt
  t.equal(Date.parse(extended) - Date.parse(stopAt!), HOUR)
  t.match(replies(world.telegram, OPERATOR).at(-1), /^⏱ trainer now stops at .* \(in 1h, [89]m\)\.$/)
  t.equal((await instanceView(world, 'r1'))?.['stopAt'], extended)

  // A restart keeps it; the time passes while the host is down; it fires at start.
  const restarted = await world.restart()
  t.equal(restarted.host.timers.get('lab', 'r1')?.stopAt, extended, 'restored from the store')
  await restarted.poll()
  t.equal((await instanceView(restarted, 'r1'))?.['stopAt'], extended, 'and shown in the view')
  restarted.tick(2 * HOUR)
  await restarted.host.timers.check()
  await until(() => simulator.instance('r1')?.status === 'shutdown', 'the power-off')
  await waitForMessage(restarted.telegram, OPERATOR, /⏹ trainer \(lab\) was powered off by its stop timer\./)
  await until(() => restarted.host.timers.get('lab', 'r1') === undefined, 'the timer to end')
  t.equal((await instanceView(restarted, 'r1'))?.['stopAt'], undefined)
  const entriesAfter = await restarted.host.audit.list({ visible: () => true })
  t.match(entriesAfter.find(e => e.action === 'power-off' && e.result === 'succeeded'), { actor: { kind: 'system', reason: 'stop timer', onBehalfOf: OPERATOR } })
  t.match(entriesAfter.find(e => e.action === 'stop-timer'), { detail: 'fired: powered off' })
  await restarted.host.dispatcher.flush()
  t.ok(restarted.hooks.deliveries.some(d => d.json.event === 'timer.stopped'))
})

t.test('[Stop now] powers off at once; a power-off by hand ends the timer; a failing power-off is tried 5 times, then said', async t => {
  const { simulator, entries } = await lab(t)
  const world = await alertsWorld(t, entries, { ...apiOptions, alerts: { stopTimerWarningMinutes: 30 } })
  await world.poll()
  replies(world.telegram, OPERATOR)

  // /timer on a running instance, warned 30 min before (the setting), [Stop now].
  await world.say(OPERATOR, '/timer eval 2h')
  t.match(replies(world.telegram, OPERATOR), [/^⏱ eval will be powered off at .* \(in (2h|1h, 59m)\)\.$/])
  world.tick(HOUR + 31 * MIN)
  await world.host.timers.check()
  await world.host.dispatcher.flush()
  await waitForMessage(world.telegram, OPERATOR, /eval \(lab\) will be powered off by its stop timer in 2[89]m/)
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, 'Stop now')
  await until(() => simulator.instance('r2')?.status === 'shutdown', 'the power-off')
  await waitForMessage(world.telegram, OPERATOR, /⏹ eval \(lab\) was powered off by its stop timer/)
  const stopped = (await world.host.audit.list({ visible: () => true })).find(e => e.action === 'power-off' && e.result === 'succeeded')
  t.match(stopped?.actor, { kind: 'telegram', userId: OPERATOR }, '[Stop now] runs as the user who pressed it')

  // A timer through the API; then the instance is powered off by hand: the timer ends with it.
  const on = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-on', headers: auth, payload: { stopAfter: '90m' } })
  t.equal(on.statusCode, 202)
  t.ok(on.json().stopAt, 'the record carries stopAt')
  await world.host.actions.settled(on.json().id)
  await world.poll()
  const off = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-off', headers: auth })
  await world.host.actions.settled(off.json().id)
  await world.poll()
  t.equal(world.host.timers.get('lab', 'r1'), undefined, 'powered off by hand: no timer left to surprise the next power-on')
  t.match((await world.host.audit.list({ visible: () => true })).find(e => e.action === 'stop-timer'), { detail: 'ended: trainer was powered off by other means' })

  // A power-off the provider keeps refusing: retried every minute, then announced once.
  await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-on', headers: auth, payload: {} }).then(async r => await world.host.actions.settled(r.json().id))
  await world.poll()
  const put = await world.host.api.inject({ method: 'PUT', url: '/api/v1/instances/lab/r1/stop-timer', headers: auth, payload: { stopAfter: '10m' } })
  t.equal(put.statusCode, 200)
  t.match(put.json(), { provider: 'lab', instanceId: 'r1', instanceName: 'trainer', setBy: 'api:ops', warned: true })
  simulator.inject('/api/v1/instance/power_off', { code: 'InstanceBusy', msg: '实例繁忙' }, 5)
  world.tick(10 * MIN)
  for (let i = 0; i < 5; i++) {
    await world.host.timers.check()
    world.tick(MIN)
  }
  await world.host.dispatcher.flush()
  t.equal(world.host.timers.get('lab', 'r1'), undefined, 'given up')
  t.equal(simulator.instance('r1')?.status, 'running')
  const failed = world.hooks.deliveries.filter(d => d.json.event === 'timer.failed')
  t.equal(failed.length, 1, 'said once, not at every attempt')
  t.match(failed[0]?.json.message?.en, /could not power trainer \(lab\) off: .*It may still be running and costing money/)
})

t.test('the API: stopAfter is checked, bound into confirmations, listed and cancelled; /timer off', async t => {
  const { entries } = await lab(t)
  const world = await alertsWorld(t, entries, apiOptions)
  await world.poll()

  const bad = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-on', headers: auth, payload: { stopAfter: 'soon' } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, 'body/stopAfter: "soon" is not a duration; write e.g. 30m, 3h, 1h30m, 2d')
  const long = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-on', headers: auth, payload: { stopAfter: '8d' } })
  t.match(long.json().message, 'body/stopAfter: must be between 1 minute and 7 days')
  const offTimer = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-off', headers: auth, payload: { stopAfter: '1h' } })
  t.equal(offTimer.statusCode, 400, 'only a power-on takes stopAfter')

  const confirmation = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/confirmations', headers: auth, payload: { action: 'power-on', stopAfter: '2h' } })
  t.equal(confirmation.statusCode, 201)
  t.match(confirmation.json().text, /A stop timer powers it off after 2h .*about ¥3\.76/)
  const other = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-on', headers: auth, payload: { confirmation: confirmation.json().token, stopAfter: '5h' } })
  t.equal(other.statusCode, 409, 'a confirmation for 2 h does not confirm 5 h')
  const ok = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-on', headers: auth, payload: { confirmation: confirmation.json().token, stopAfter: '2h' } })
  t.equal(ok.statusCode, 202)

  const listed = await world.host.api.inject({ url: '/api/v1/timers', headers: auth })
  t.match(listed.json(), [{ provider: 'lab', instanceId: 'r1', setBy: 'api:ops', warned: false }])
  const stoppedOne = await world.host.api.inject({ method: 'PUT', url: '/api/v1/instances/lab/missing/stop-timer', headers: auth, payload: { stopAfter: '1h' } })
  t.equal(stoppedOne.statusCode, 404)
  const cancelled = await world.host.api.inject({ method: 'DELETE', url: '/api/v1/instances/lab/r1/stop-timer', headers: auth })
  t.equal(cancelled.statusCode, 200)
  t.equal((await world.host.api.inject({ method: 'DELETE', url: '/api/v1/instances/lab/r1/stop-timer', headers: auth })).statusCode, 404)
  const anonymous = await world.host.api.inject({ method: 'DELETE', url: '/api/v1/instances/lab/r1/stop-timer' })
  t.equal(anonymous.statusCode, 401)

  await world.say(OPERATOR, '/timer eval 1h')
  await world.say(OPERATOR, '/timer')
  await world.say(OPERATOR, '/timer eval off')
  await world.say(OPERATOR, '/timer eval sometime')
  await world.say(READER, '/timer eval 1h')
  const said = replies(world.telegram, OPERATOR).filter(m => !m.startsWith('⏳'))
  t.match(said.slice(-4), [/^⏱ eval will be powered off at/, /^Stop timers:\n⏱ eval \(lab\) · stops .* \(in (1h|59m)\)$/, 'The stop timer of eval is cancelled; it keeps running.', /^"sometime" is not a duration/])
  t.match(replies(world.telegram, READER).at(-1), /You may read but not act/)
  t.equal(world.host.timers.list().length, 0)
})
