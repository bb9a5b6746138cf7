import t, { type Test } from 'tap'
import { alertsWorld, OPERATOR, READER, TOKEN } from '../helpers/alerts-world.js'
import { press, waitForMessage } from '../helpers/telegram.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'

const HOUR = 3600_000
const RELEASE = 15 * 24 * HOUR

/** An instance released `hoursLeft` hours from now. */
function stoppedFor (uuid: string, name: string, hoursLeft: number) {
  return makeInstance({ uuid, machine_id: `m-${uuid}`, name, region_name: '内蒙B区', status: 'shutdown', gpu_idle_num: 4, stopped_at: nullTime(new Date(Date.now() - RELEASE + hoursLeft * HOUR)) })
}

async function setup (t: Test, instances: ReturnType<typeof stoppedFor>[], entry: object = {}) {
  const simulator = await startAutodlSimulator({ transitionMs: 40, accounts: [{ phone: '13800000000', password: 'pw', instances }] })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url, ...entry }])
  return { simulator, world }
}

const releaseAlerts = (texts: string[]) => texts.filter(m => m.startsWith('⏳') && m.includes('will be released'))

t.test('release ladder: 72 h, 24 h, 6 h, each once per stop, with [Keep alive]', async t => {
  const { world } = await setup(t, [stoppedFor('r1', 'old-run', 80)])
  const texts = () => releaseAlerts(world.messages(READER).map(m => m.text))
  await world.poll()
  t.same(texts(), [], '80 h left: no alert yet')
  world.tick(9 * HOUR)
  await world.poll()
  t.same(texts(), [`⏳ old-run (lab) is shut down and will be released in 2d, 22h (${texts()[0]?.match(/\((\d{4}-\d\d-\d\d \d\d:\d\d)\)/)?.[1]}); its data will be wiped.`])
  t.same(world.messages(READER).at(-1)?.buttons.map(b => b.text), ['Keep alive'])
  t.equal(world.messages(OPERATOR).filter(m => m.text.startsWith('⏳')).length, 1, 'every reader and operator of a shared entry is told')
  await world.poll()
  world.tick(HOUR)
  await world.poll()
  t.equal(texts().length, 1, 'not repeated while between points')
  world.tick(47 * HOUR)
  await world.poll()
  t.equal(texts().length, 2)
  t.match(texts()[1], 'will be released in 22h, 59m')
  world.tick(17 * HOUR)
  await world.poll()
  t.equal(texts().length, 3, 'the 6 h point')
  const hooks = world.hooks.deliveries.filter(d => d.json.event === 'release.approaching').map(d => d.json.data.hoursBefore)
  t.same(hooks, [72, 24, 6])
})

t.test('a late start or a restart never fires a burst; a restart repeats nothing', async t => {
  const { world } = await setup(t, [stoppedFor('r2', 'late', 5)])
  await world.poll()
  t.equal(releaseAlerts(world.messages(READER).map(m => m.text)).length, 1, 'with 5 h left: one alert, for the 6 h point')
  const second = await world.restart()
  await second.poll()
  second.tick(HOUR)
  await second.poll()
  t.equal(releaseAlerts(second.messages(READER).map(m => m.text)).length, 1, 'nothing again after the restart')
})

t.test('[Keep alive] resets the clock; the ladder starts again for the new stop', async t => {
  const { world, simulator } = await setup(t, [stoppedFor('r3', 'keep-me', 60)])
  await world.poll()
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, 'Keep alive')
  t.match(world.messages(OPERATOR).at(-1)?.text, '♻️ Keep 内蒙B区 / keep-me alive')
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, '✅ Confirm')
  await waitForMessage(world.telegram, OPERATOR, /^✅ Kept keep-me alive: new release time /)
  t.same(simulator.requests.filter(r => r.path.startsWith('/api/v1/instance/power')).map(r => r.body), [{ instance_uuid: 'r3', payload: 'non_gpu' }, { instance_uuid: 'r3' }])
  const before = releaseAlerts(world.messages(READER).map(m => m.text)).length
  world.tick(13 * 24 * HOUR) // the new stop is "now": 15 d − 13 d = 48 h left
  await world.poll()
  t.equal(releaseAlerts(world.messages(READER).map(m => m.text)).length, before + 1, 'the new stop gets its own ladder')
})

t.test('automatic keep-alive: runs before beforeHours, verified, announced', async t => {
  const { world, simulator } = await setup(t, [stoppedFor('k1', 'auto-keep', 40), stoppedFor('k2', 'far-away', 200)], { keepAlive: { enabled: true, beforeHours: 48 } })
  await world.poll()
  const requested = (await world.host.audit.list({ visible: () => true })).find(e => e.action === 'keep-alive' && e.result === 'requested')
  t.match(requested, { actor: { kind: 'system', reason: 'keep-alive' }, target: { instanceId: 'k1' } })
  await world.host.actions.settled(requested!.actionId!)
  await world.host.dispatcher.flush()
  t.ok(world.messages(READER).some(m => /^♻️ Kept auto-keep \(lab\) alive: new release time \d{4}-\d\d-\d\d \d\d:\d\d\.$/.test(m.text)))
  t.ok(world.hooks.deliveries.some(d => d.json.event === 'keepalive.succeeded' && d.json.instance.id === 'k1'))
  t.equal(simulator.requests.filter(r => r.path === '/api/v1/instance/power_on' && (r.body as { instance_uuid: string }).instance_uuid === 'k2').length, 0, '200 h left: not touched')
})

t.test('automatic keep-alive that does not reset the clock: reported, and never looped (cooldown)', async t => {
  const { world, simulator } = await setup(t, [stoppedFor('k3', 'stuck', 30)], { keepAlive: { enabled: true, beforeHours: 48 } })
  simulator.freezeStoppedAt('k3')
  await world.poll()
  const first = (await world.host.audit.list({ visible: () => true })).find(e => e.action === 'keep-alive' && e.result === 'requested')!
  await world.host.actions.settled(first.actionId!)
  await world.host.dispatcher.flush()
  t.ok(world.messages(READER).some(m => m.text.startsWith('❌ Keeping stuck (lab) alive failed at "verifying the release clock": the release clock did not reset') && m.text.endsWith('No automatic retry for 12h.')))
  t.ok(world.hooks.deliveries.some(d => d.json.event === 'keepalive.failed' && d.json.data.step === 'verifying the release clock'))
  const powerOns = () => simulator.requests.filter(r => r.path === '/api/v1/instance/power_on').length
  t.equal(powerOns(), 1)
  for (let i = 0; i < 3; i++) {
    world.tick(HOUR)
    await world.poll()
  }
  t.equal(powerOns(), 1, 'no new attempt within the cooldown')
  const second = await world.restart()
  await second.poll()
  t.equal(powerOns(), 1, 'nor after a restart')
  second.tick(12 * HOUR)
  await second.poll()
  t.equal(powerOns(), 2, 'after the cooldown it tries again')
})

t.test('keepAlive on a provider that cannot do it is a configuration error', async t => {
  const err = await alertsWorld(t, [{ id: 'n', type: 'nezha', baseUrl: 'http://127.0.0.1:9', token: 'tokentoken', keepAlive: { enabled: true } }]).catch(e => e)
  t.match(err, { code: 'CW_ERR_CONFIG', issues: ['providers[0].keepAlive: nezha cannot keep instances alive (that needs power on/off, a no-GPU mode and a release rule)'] })
})

t.test('a rule\'s chat ids receive its alerts instead of every reader; a bot-added account alerts its owner only', async t => {
  const simulator = await startAutodlSimulator({ accounts: [
    { phone: '13800000000', password: 'pw', instances: [stoppedFor('c1', 'shared-one', 5)] },
    { phone: '13900000000', password: 'own', instances: [stoppedFor('c2', 'private-one', 5)] }
  ] })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }], { alerts: { chatIds: { release: [-100555] } }, accountsBaseUrl: simulator.url })
  await world.host.accounts!.setPhone(READER, '13900000000', '+86')
  await world.host.accounts!.setPassword(READER, 'own')
  await world.poll()
  const texts = (chat: number) => world.messages(chat).map(m => m.text).filter(m => m.startsWith('⏳'))
  t.equal(texts(-100555).length, 1, 'the group named for release alerts')
  t.match(texts(-100555)[0], 'shared-one')
  t.same(texts(OPERATOR), [], 'not every reader')
  t.equal(texts(READER).length, 1, 'the owner gets the alert of their own account…')
  t.match(texts(READER)[0], 'private-one (tg-702)')
  t.notOk(texts(-100555).some(m => m.includes('private-one')), '…and it never goes to a shared chat')
})
