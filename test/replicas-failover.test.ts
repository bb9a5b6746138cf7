// Three hosts (the built CLI, each its own process) on one real redis-server, against the AutoDL
// simulator, with alerts to a webhook receiver: one leader polls and acts; followers serve its view and
// hand control to it; kill -9 of the leader → a follower takes over within two lease periods with the
// stored token, repeats no alert and loses none (release ladder, GPU watch, an automatic watch's
// power-on in flight), and reconciles that power-on without sending it again; a leader paused past its
// lease (SIGSTOP, SIGCONT) steps down and exits 75 without acting.
import { writeFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { WatchList } from '../src/alerts/watches.js'
import { openStateStore } from '../src/core/store.js'
import { makeInstance, nullTime } from '../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../src/demo/simulators/autodl/server.js'
import { run, waitForLine, type Run } from './helpers/cli.js'
import { captureLog } from './helpers/log.js'
import { startRedis } from './helpers/redis.js'
import { until } from './helpers/until.js'
import { startWebhookReceiver, type Delivery } from './helpers/webhook-receiver.js'

t.setTimeout(240_000)
// Long enough that a loaded CI machine does not depose a healthy leader; a takeover within 8 s.
const LEASE_S = 4
const DAY = 86400_000
const KEY = 'ops-key-0123456789abcdef'
const auth = { authorization: `Bearer ${KEY}` }
const PHONE = '13800000000'

const redis = await startRedis(t)
if (!redis) {
  t.fail('redis-server not found: apt-get install -y redis-server (.ci/run installs it)')
} else {
  const now = Date.now()
  // AutoDL releases an instance 15 days after its stop: 14.5 days ago is 12 h before release.
  const soon = new Date(now - 14.5 * DAY)
  const simulator = await startAutodlSimulator({
    transitionMs: 6000,
    accounts: [{
      phone: PHONE, password: 'pw', instances: [
        makeInstance({ uuid: 'a-soon', machine_id: 'm-a', name: 'soon', status: 'shutdown', stopped_at: nullTime(soon) }),
        makeInstance({ uuid: 'b-later', machine_id: 'm-b', name: 'later', status: 'running' }),
        makeInstance({ uuid: 'c-watched', machine_id: 'm-c', name: 'watched', status: 'shutdown', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 0, stopped_at: nullTime(new Date(now - DAY)) }),
        makeInstance({ uuid: 'd-auto', machine_id: 'm-d', name: 'auto', status: 'shutdown', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 0, stopped_at: nullTime(new Date(now - DAY)) }),
        makeInstance({ uuid: 'e-ctl', machine_id: 'm-e', name: 'ctl', status: 'running' })
      ]
    }]
  })
  t.teardown(() => simulator.close())
  const hooks = await startWebhookReceiver(t)

  // Watches set earlier (through the bot), in the shared store.
  const { log } = captureLog()
  const store = await openStateStore(redis.url, { baseDir: '.', log })
  t.teardown(() => store.close())
  const watches = new WatchList(store.namespace('alerts'))
  await watches.add({ userId: 7, provider: 'lab', instanceId: 'c-watched', name: 'watched', auto: false, until: null, free: false })
  await watches.add({ userId: 7, provider: 'lab', instanceId: 'd-auto', name: 'auto', auto: true, until: null, free: false })

  const dir = await mkdtemp(join(tmpdir(), 'cw-replicas-'))
  const hosts = new Map<string, { run: Run; url: string }>()
  async function start (name: string): Promise<void> {
    const file = join(dir, `${name}.json`)
    await writeFile(file, JSON.stringify({
      store: redis!.url,
      pollIntervalSeconds: 5,
      replicas: { hostId: name, leaseSeconds: LEASE_S },
      api: { host: '127.0.0.1', port: 0, apiKeys: [{ name: 'ops', key: KEY, scopes: ['read', 'control'] }] },
      notify: { webhooks: [{ url: hooks.url, events: ['*'] }] },
      providers: [{ id: 'lab', type: 'autodl', phone: PHONE, password: 'pw', baseUrl: simulator.url }]
    }))
    const host = run(t, ['--config', file])
    const line = await waitForLine(host.stdout, /status API listening/, 30_000)
    hosts.set(name, { run: host, url: (JSON.parse(line) as { url: string }).url })
  }
  const get = async (name: string, path: string): Promise<{ status: number; headers: Headers; body: any }> => {
    const res = await fetch(`${hosts.get(name)!.url}${path}`, { headers: auth })
    return { status: res.status, headers: res.headers, body: await res.json() }
  }
  const health = async (name: string): Promise<{ role: string; leader: string | null } | null> =>
    await get(name, '/healthz').then(r => r.body, () => null)
  /** Alerts received, one per delivery id (a receiver drops a repeated delivery id: at-least-once). */
  const alerts = (match: (d: Delivery) => boolean): string[] =>
    [...new Set(hooks.deliveries.filter(d => d.status < 300 && match(d)).map(d => String(d.headers['x-computewatch-delivery'])))]
  const release = (id: string) => (d: Delivery): boolean => d.json['event'] === 'release.approaching' && d.json['instance']?.id === id
  const watchSays = (text: string) => (d: Delivery): boolean => d.json['event'] === 'gpu.freed' && String(d.json['message']?.en).includes(text)
  const requests = (path: string): number => simulator.stats.requests[path] ?? 0

  t.test('one leader polls and acts; followers serve its view and hand control to it', async t => {
    await start('host-1')
    t.match(await health('host-1'), { role: 'leader', leader: 'host-1' })
    await Promise.all([start('host-2'), start('host-3')])
    t.same(await health('host-2'), { status: 'ok', host: 'host-2', role: 'follower', leader: 'host-1' })
    await until(() => alerts(release('a-soon')).length === 1, 'the leader announces the release of a-soon', 20_000)
    await until(async () => (await get('host-3', '/api/v1/instances')).body.instances?.length === 5, 'a follower serves the leader\'s view', 20_000)
    const lists = requests('/api/v1/instance')
    await new Promise(resolve => setTimeout(resolve, 5500))
    t.ok(requests('/api/v1/instance') - lists <= 2, 'one host polls (one list call per 5 s poll, not three)')
    t.equal(simulator.stats.logins, 1, 'one login for three hosts')

    const control = await fetch(`${hosts.get('host-3')!.url}/api/v1/instances/lab/e-ctl/power-off`, { method: 'POST', headers: auth })
    t.equal(control.status, 202, 'a control request through a follower')
    t.equal(control.headers.get('x-computewatch-leader'), 'host-1', 'is carried out by the leader')
    const record = await control.json() as { id: string }
    await until(async () => (await get('host-2', `/api/v1/actions/${record.id}`)).body.status === 'succeeded', 'another follower reads the same record', 20_000)
    t.equal(requests('/api/v1/instance/power_off'), 1, 'sent once')
  })

  t.test('kill -9 of the leader while a watch\'s power-on is under way: a follower takes over, nothing is repeated or lost', async t => {
    simulator.setHostIdle('m-d', 1)
    await until(() => requests('/api/v1/instance/power_on') === 1, 'the automatic watch powers d-auto on', 20_000)
    await until(() => alerts(watchSays('powering it on')).length === 1, 'and says so', 10_000)
    hosts.get('host-1')!.run.child.kill('SIGKILL')
    const killedAt = performance.now()
    // What happens while nobody leads must not be lost.
    simulator.shutDown('b-later', soon)
    simulator.setHostIdle('m-c', 2)

    let leader = ''
    await until(async () => {
      const views = await Promise.all(['host-2', 'host-3'].map(health))
      leader = views.find(v => v?.role === 'leader') ? (views.find(v => v?.role === 'leader')!.leader ?? '') : ''
      return leader !== ''
    }, 'a follower takes over', 4 * LEASE_S * 1000)
    const takeoverS = (performance.now() - killedAt) / 1000
    t.ok(takeoverS <= 2 * LEASE_S + 1, `taken over by ${leader} in ${takeoverS.toFixed(1)} s (bound: two leases, ${2 * LEASE_S} s)`)

    await until(() => alerts(release('b-later')).length === 1, 'the release of b-later, shut down while nobody led, is announced', 20_000)
    await until(() => alerts(watchSays('has idle GPUs: 2/8')).length === 1, 'the GPU freed on c-watched is announced', 20_000)
    await until(() => alerts(watchSays('powered on by its watch')).length === 1, 'the new leader finishes the power-on it took over and says so', 20_000)
    t.equal(simulator.instance('d-auto')?.status, 'running')
    t.same((await new WatchList(store.namespace('alerts')).all()).map(w => w.instanceId), ['c-watched'], 'the automatic watch ended, in the shared store')
    // Two more polls: nothing fires twice.
    await new Promise(resolve => setTimeout(resolve, 11_000))
    t.equal(alerts(release('a-soon')).length, 1, 'the release announced by the old leader is not repeated')
    t.equal(alerts(release('b-later')).length, 1)
    t.equal(alerts(watchSays('has idle GPUs:')).length, 1)
    t.equal(alerts(watchSays('powering it on')).length, 1)
    t.equal(alerts(watchSays('powered on by its watch')).length, 1)
    t.equal(requests('/api/v1/instance/power_on'), 1, 'the power-on in flight was reconciled from the list, not sent again')
    t.equal(simulator.stats.logins, 1, 'the new leader uses the stored token: no new login')
    const audit = (await get(leader, '/api/v1/audit?limit=100')).body as Array<{ action: string; result: string; target: { instanceId: string } }>
    t.same(audit.filter(e => e.target.instanceId === 'd-auto').map(e => `${e.action} ${e.result}`), ['power-on succeeded', 'power-on requested'],
      'the shared audit log: requested by the old leader, finished once by the new one')
  })

  t.test('a leader paused past its lease (SIGSTOP, SIGCONT) steps down and exits 75 without acting', async t => {
    const leader = (await health('host-2'))!.leader!
    const follower = leader === 'host-2' ? 'host-3' : 'host-2'
    const paused = hosts.get(leader)!.run
    const deliveries = hooks.deliveries.length
    const calls = { on: requests('/api/v1/instance/power_on'), off: requests('/api/v1/instance/power_off') }
    paused.child.kill('SIGSTOP')
    await until(async () => (await health(follower))?.role === 'leader', `${follower} takes over`, 4 * LEASE_S * 1000)
    paused.child.kill('SIGCONT')
    t.equal(await paused.exited, 75, 'the paused host found it lost the lease and exited 75 (its supervisor starts it again, as a follower)')
    t.match(paused.stdout.join('\n'), /this host steps down/)
    await new Promise(resolve => setTimeout(resolve, 6000))
    t.same({ on: requests('/api/v1/instance/power_on'), off: requests('/api/v1/instance/power_off') }, calls, 'no action was repeated')
    t.equal(hooks.deliveries.length, deliveries, 'and no alert was sent again')
    t.match(await health(follower), { role: 'leader', leader: follower })
  })
}
