import t, { type Test } from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { buildHost, type Host } from '../../src/app.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'
import { parseConfig } from '../../src/config/load.js'
import { LeaderLease } from '../../src/core/lease.js'
import { createRegistry } from '../../src/core/registry.js'
import { openStateStore } from '../../src/core/store.js'
import { makeInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { captureLog } from '../helpers/log.js'
import { startRedis } from '../helpers/redis.js'
import { until as waitUntil } from '../helpers/until.js'

// Long enough that a loaded CI machine (event-loop stalls over a second) does not depose a healthy leader.
const LEASE_MS = 4000
const KEY = 'ops-key-0123456789abcdef'
const auth = { authorization: `Bearer ${KEY}` }

const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 3 * LEASE_MS): Promise<void> => { await waitUntil(check, what, timeoutMs) }

const redis = await startRedis(t)
if (!redis) {
  t.plan(0, 'redis-server not found: apt-get install -y redis-server (.ci/run installs it)')
} else {
  const simulator = await startAutodlSimulator({
    accounts: [{ phone: '13800000000', password: 'pw', instances: [makeInstance({ uuid: 'r1', machine_id: 'm-1', name: 'trainer', status: 'running', gpu_idle_num: 1 })] }]
  })
  t.teardown(() => simulator.close())
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({
    store: redis.url,
    api: { host: '127.0.0.1', port: 0, apiKeys: [{ name: 'ops', key: KEY, scopes: ['read', 'control'] }] },
    providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }]
  }, { registry, alertRules: ALERT_RULES, env: {} })

  /** A host on the shared Redis store; `deposed` collects what its onDeposed heard. */
  async function host (t: Test, hostId: string): Promise<{ host: Host; deposed: string[] }> {
    const { log, secrets } = captureLog()
    const store = await openStateStore(config.store, { baseDir: '.', log })
    const deposed: string[] = []
    const h = await buildHost({ ...config, replicas: { hostId, leaseSeconds: LEASE_MS / 1000 } }, { registry, log, secrets, store, version: 't', onDeposed: reason => deposed.push(reason) })
    t.teardown(() => h.stop())
    await h.start()
    return { host: h, deposed }
  }
  const ids = async (h: Host): Promise<string[]> => ((await h.api.inject({ url: '/api/v1/instances', headers: auth })).json() as { instances: Array<{ id: string; gpu: { hostIdle: number } }> }).instances.map(i => `${i.id}:${i.gpu.hostIdle}`)

  t.test('one leader polls, a follower serves its view; the follower takes over with the stored token when the leader stops', async t => {
    const a = await host(t, 'host-a')
    await until(async () => (await ids(a.host)).length === 1, 'the leader polled')
    const b = await host(t, 'host-b')
    t.equal(a.host.replicas?.role(), 'leader')
    t.equal(b.host.replicas?.role(), 'follower')
    await until(async () => (await ids(b.host)).join() === 'r1:1', 'the follower shows the leader\'s view')
    const lists = simulator.stats.requests['/api/v1/instance'] ?? 0
    await new Promise(resolve => setTimeout(resolve, 500))
    t.equal(simulator.stats.requests['/api/v1/instance'] ?? 0, lists, 'the follower polls nothing')
    t.equal(simulator.stats.logins, 1, 'one login for both hosts')

    t.same((await b.host.api.inject({ url: '/healthz' })).json(), { status: 'ok', host: 'host-b', role: 'follower', leader: 'host-a' })
    t.same((await a.host.api.inject({ url: '/healthz' })).json(), { status: 'ok', host: 'host-a', role: 'leader', leader: 'host-a' })
    t.equal((await b.host.api.inject({ url: '/api/v1/providers', headers: auth })).headers['x-computewatch-leader'], 'host-a')
    t.match((await b.host.api.inject({ url: '/metrics', headers: auth })).body, 'computewatch_leader{host="host-b"} 0')
    t.match((await a.host.api.inject({ url: '/metrics', headers: auth })).body, 'computewatch_leader{host="host-a"} 1')
    // Control through the follower is carried out once, by the leader, with the caller's key.
    t.equal((await b.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-off' })).statusCode, 401, 'the key is checked, here and again by the leader')
    const control = await b.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-off', headers: auth })
    t.equal(control.statusCode, 202)
    t.equal(control.headers['x-computewatch-leader'], 'host-a')
    const record = control.json()
    t.match(record, { kind: 'power-off', provider: 'lab', instanceId: 'r1', actor: { kind: 'api', key: 'ops' } })
    t.equal(control.headers['location'], `/api/v1/actions/${record.id}`)
    await a.host.actions.settled(record.id)
    t.equal(simulator.stats.requests['/api/v1/instance/power_off'], 1, 'sent once, by the leader')
    t.match((await b.host.api.inject({ url: `/api/v1/actions/${record.id}`, headers: auth })).json(), { id: record.id, status: 'succeeded' }, 'the follower answers the same record')
    const again = await b.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/power-off', headers: auth })
    t.equal(again.statusCode, 409, 'the leader\'s refusal comes back as is')
    t.match(again.json(), { code: 'CW_ERR_CONFLICT' })
    const audit = await a.host.audit.list({ visible: () => true })
    t.equal(audit.filter(e => e.action === 'power-off' && e.result === 'succeeded').length, 1)

    // A change seen by the leader reaches the follower through Redis.
    simulator.setHostIdle('m-1', 3)
    await a.host.aggregator.refresh('lab')
    await until(async () => (await ids(b.host)).join() === 'r1:3', 'the follower sees the change')

    await a.host.stop()
    await until(() => b.host.replicas?.role() === 'leader', 'the follower takes over')
    await until(() => (simulator.stats.requests['/api/v1/instance'] ?? 0) > lists + 1, 'the new leader polls')
    t.equal(simulator.stats.logins, 1, 'with the token in the store: no new login')
    t.same(b.deposed, [])
  })

  t.test('a leader that lost its lease to another host stops at once and says so', async t => {
    const a = await host(t, 'host-c')
    await until(() => a.host.replicas?.role() === 'leader', 'c leads')
    const client = await redis.client()
    // Another host took the lease (as if c had been paused past it).
    await client.del('computewatch:leader')
    const other = new LeaderLease({ redis: client, prefix: 'computewatch:', hostId: 'host-d', leaseMs: LEASE_MS, log: captureLog().log })
    t.teardown(() => other.stop())
    await other.start()
    t.equal(other.isLeader(), true)
    await until(() => a.deposed.length === 1, 'c steps down')
    t.match(a.deposed[0], /another host/)
    t.equal(a.host.api.server.listening, false, 'it stopped serving too: its supervisor starts it again as a follower')
  })

  t.test('a stop while a takeover is still starting waits for it, then stops everything it started', async t => {
    const client = await redis.client()
    const other = new LeaderLease({ redis: client, prefix: 'computewatch:', hostId: 'host-f', leaseMs: LEASE_MS, log: captureLog().log })
    await client.del('computewatch:leader')
    await other.start()
    const e = await host(t, 'host-e')
    t.equal(e.host.replicas?.role(), 'follower')
    let stopped: Promise<void> | null = null
    // The host's own handler has begun to lead (polling, alerts, timers…) when this one stops it.
    e.host.replicas!.on('lead', () => { stopped = e.host.stop() })
    await other.stop()
    await until(() => stopped !== null, 'e takes over')
    await stopped
    let polls = 0
    e.host.aggregator.on('snapshot', () => { polls++ })
    await new Promise(resolve => setTimeout(resolve, 1500))
    t.equal(polls, 0, 'nothing polls once the stop has resolved')
    t.equal(e.host.api.server.listening, false)
  })
}
