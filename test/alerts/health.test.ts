import t from 'tap'
import { memoryStateStore, type StateStore } from '../../src/core/store.js'
import { alertsWorld, READER } from '../helpers/alerts-world.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { computeshareSampleVms, startComputeshareSimulator } from '../../src/demo/simulators/computeshare/server.js'
import { simServer, startNezhaSimulator } from '../../src/demo/simulators/nezha/server.js'

const HOUR = 3600_000

t.test('provider health: one alert after N failed polls, one on recovery; no instance alerts while failing', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances: [
    makeInstance({ uuid: 'h1', machine_id: 'm1', name: 'soon', status: 'shutdown', stopped_at: nullTime(new Date(Date.now() - 15 * 24 * HOUR + 80 * HOUR)) })] }] })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }])
  await world.poll()
  const texts = () => world.messages(READER).map(m => m.text)
  simulator.inject('/api/v1/instance', { code: 'SystemBusy', msg: '系统繁忙' }, 4)
  await world.poll()
  t.same(texts(), [], 'one failed poll: nothing yet (providerFailuresBeforeAlert 2)')
  world.tick(9 * HOUR) // the instance crosses the 72 h release point while its provider fails
  await world.poll()
  t.same(texts(), ['❌ lab (autodl) failed 2 polls in a row: AutoDL /api/v1/instance: SystemBusy (系统繁忙)'])
  await world.poll()
  await world.poll()
  t.equal(texts().length, 1, 'no repeat while it keeps failing, and no release alert from stale data')
  await world.poll()
  t.equal(texts()[1], '✅ lab (autodl) works again: 1 instance.')
  t.match(texts()[2], /^⏳ soon \(lab\) is shut down and will be released in/, 'the release alert comes once the data is fresh')
  t.same(world.hooks.deliveries.map(d => d.json.event).filter(e => e.startsWith('provider.')), ['provider.failing', 'provider.recovered'])
})

t.test('a login failure is said as such', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'right', instances: [] }] })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'wrong', baseUrl: simulator.url }], { alerts: { providerFailuresBeforeAlert: 1 } })
  await world.poll()
  t.match(world.messages(READER).at(-1)?.text, /^🔑 lab \(autodl\) cannot log in: AutoDL login failed: LoginFailed \(手机号或密码错误\)/)
  t.match(world.hooks.deliveries.at(-1)?.json, { event: 'provider.failing', data: { login: true } })
})

t.test('offline / back online after the sustain time; a flap says nothing', async t => {
  const servers = [simServer({ id: 1, name: 'web-1' }), simServer({ id: 2, name: 'flappy' })]
  const nezha = await startNezhaSimulator({ version: 'v0', servers, tokens: ['nezha-alerts-token'] })
  t.teardown(() => nezha.close())
  const world = await alertsWorld(t, [{ id: 'srv', type: 'nezha', baseUrl: nezha.url, token: 'nezha-alerts-token', offlineAfterSeconds: 60 }])
  const texts = () => world.messages(READER).map(m => m.text)
  await world.poll()
  servers[0]!.lastActive = new Date(Date.now() - 10 * 60_000)
  servers[1]!.lastActive = new Date(Date.now() - 10 * 60_000)
  await world.poll()
  t.same(texts(), [], 'offline, but not for 5 minutes yet')
  world.tick(2 * 60_000)
  servers[1]!.lastActive = world.now() // flappy reports again
  await world.poll()
  world.tick(4 * 60_000)
  await world.poll()
  t.same(texts(), ['🔴 web-1 (srv) went offline; last seen 16 minutes ago.'], 'only the one that stayed offline')
  servers[0]!.lastActive = world.now()
  await world.poll()
  t.equal(texts().length, 1, 'back online, but not for 5 minutes yet')
  world.tick(5 * 60_000)
  servers[0]!.lastActive = world.now()
  await world.poll()
  t.same(texts().slice(1), ['🟢 web-1 (srv) is back online.'])
  t.same(world.hooks.deliveries.map(d => d.json.event), ['instance.offline', 'instance.online'])
})

t.test('expiry ladder for rentals with an end', async t => {
  const vms = computeshareSampleVms()
  vms.push({ ...vms[0]!, id: 'f9d1e7aa-0000-4000-8000-000000000001', name: 'ends-soon', expirationTime: Date.now() + 70 * HOUR })
  const cs = await startComputeshareSimulator({ users: [{ username: 'u', password: 'p-alerts' }], vms })
  t.teardown(() => cs.close())
  const world = await alertsWorld(t, [{ id: 'vms', type: 'computeshare', username: 'u', password: 'p-alerts', baseUrl: cs.url }], { alerts: { expiryLadderHours: [72, 24] } })
  await world.poll()
  const texts = world.messages(READER).map(m => m.text)
  t.equal(texts.length, 1, 'the alerts of one poll are one message')
  const [title, ...lines] = texts[0]!.split('\n')
  t.equal(title, `Rental expiring (${lines.length})`)
  t.ok(lines.some(m => /^• ⏳ ends-soon \(vms\) expires in 2d, 21h \(\d{4}-\d\d-\d\d \d\d:\d\d\)\.$/.test(m)), 'the 72 h point')
  t.ok(lines.some(m => /^• ⚠️ old-trial \(vms\) has expired/.test(m)), 'an already expired rental, once')
  t.notOk(texts.some(m => m.includes('build-runner')), '20 days left: nothing')
  await world.poll()
  t.equal(world.messages(READER).length, texts.length, 'not repeated')
})

t.test('the alert state is written only when it changed', async t => {
  const base = memoryStateStore()
  const writes: string[] = []
  const counting: StateStore = {
    description: 'counting',
    close: base.close,
    namespace: (name) => {
      const keyv = base.namespace(name)
      const set = keyv.set.bind(keyv)
      keyv.set = (async (key: string, value: unknown, ttl?: number) => { writes.push(`${name}:${key}`); return await set(key, value, ttl) }) as typeof keyv.set
      return keyv
    }
  }
  const servers = [simServer({ id: 1, name: 'calm' })]
  const nezha = await startNezhaSimulator({ version: 'v0', servers, tokens: ['nezha-writes-token'] })
  t.teardown(() => nezha.close())
  const world = await alertsWorld(t, [{ id: 'srv', type: 'nezha', baseUrl: nezha.url, token: 'nezha-writes-token' }], { store: counting })
  await world.poll()
  const stateWrites = () => writes.filter(w => w.startsWith('alerts:state')).length
  const settled = stateWrites()
  for (let i = 0; i < 5; i++) await world.poll()
  t.equal(stateWrites(), settled, 'five quiet polls: no write')
  servers[0]!.lastActive = new Date(Date.now() - 3600_000)
  await world.poll()
  t.same(writes.slice(-1), ['alerts:state:srv'], 'a change (the server went offline) is stored, in the entry\'s own part')
  t.equal(stateWrites(), settled + 1, 'and nothing else is written')
})
