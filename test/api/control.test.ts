import t, { type Test } from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { buildHost } from '../../src/app.js'
import { parseConfig } from '../../src/config/load.js'
import { createRegistry } from '../../src/core/registry.js'
import { memoryStateStore, openStateStore, type StateStore } from '../../src/core/store.js'
import { storeFileIo } from '../../src/core/file-store.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'
import { captureLog } from '../helpers/log.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'

const OPS = 'ops-control-key-0123456789'
const GRAFANA = 'grafana-read-key-0123456789'

async function setup (t: Test, apiKeys: unknown[] = [{ name: 'ops', key: OPS, scopes: ['read', 'control'] }, { name: 'grafana', key: GRAFANA, scopes: ['read'] }], store: StateStore = memoryStateStore()) {
  const simulator = await startAutodlSimulator({
    transitionMs: 40,
    accounts: [{ phone: '13800000000', password: 'pw', instances: [
      makeInstance({ uuid: 'h1-stopped', machine_id: 'h1', name: 'trainer', status: 'shutdown', req_gpu_amount: 1, gpu_idle_num: 3, stopped_at: nullTime(new Date(Date.now() - 86400_000)) }),
      makeInstance({ uuid: 'h2-full', machine_id: 'h2', name: 'crowded', status: 'shutdown', req_gpu_amount: 2, gpu_all_num: 8, gpu_idle_num: 0 })
    ] }]
  })
  t.teardown(() => simulator.close())
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({ api: { apiKeys }, providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }] }, { registry, alertRules: ALERT_RULES, env: {} })
  const captured = captureLog()
  const host = await buildHost(config, { registry, log: captured.log, secrets: captured.secrets, store, version: 't', followIntervalMs: 20 })
  t.teardown(() => host.stop())
  const readOnly = new FakeProvider()
  readOnly.next = { instances: [fakeInstance('ro-1', { state: 'stopped' })] }
  await host.aggregator.add({ id: 'monitor', type: 'nezha', provider: readOnly, log: captured.log })
  const mine = new FakeProvider()
  mine.next = { instances: [fakeInstance('mine-1')] }
  await host.aggregator.add({ id: 'tg-42', type: 'autodl', provider: mine, log: captured.log })
  await host.aggregator.refresh()
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, key?: string, payload?: object) =>
    host.api.inject({ method, url, headers: key ? { authorization: `Bearer ${key}` } : {}, ...(payload ? { payload } : {}) })
  return { host, simulator, call, captured }
}

t.test('power on over HTTP: 202 with the action record, followed to succeeded', async t => {
  const { call, simulator, host } = await setup(t)
  const res = await call('POST', '/api/v1/instances/lab/h1-stopped/power-on', OPS, { mode: 'gpu' })
  t.equal(res.statusCode, 202)
  const record = res.json()
  t.match(record, { kind: 'power-on', mode: 'gpu', status: 'running', provider: 'lab', instanceId: 'h1-stopped', actor: { kind: 'api', key: 'ops' } })
  t.equal(res.headers['location'], `/api/v1/actions/${record.id}`)
  await host.actions.settled(record.id)
  const state = (await call('GET', `/api/v1/actions/${record.id}`, GRAFANA)).json()
  t.match(state, { status: 'succeeded', instanceState: 'running', finishedAt: /Z$/ })
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], 1)
})

t.test('scopes: no key 401, a read key 403, a control key acts; anonymous reads never control', async t => {
  const { call } = await setup(t)
  t.equal((await call('POST', '/api/v1/instances/lab/h1-stopped/power-on')).statusCode, 401)
  t.equal((await call('POST', '/api/v1/instances/lab/h1-stopped/power-on', 'wrong-key-0123456789x')).statusCode, 401)
  const read = await call('POST', '/api/v1/instances/lab/h1-stopped/power-on', GRAFANA)
  t.equal(read.statusCode, 403)
  t.match(read.json(), { code: 'CW_ERR_FORBIDDEN', message: 'the API key "grafana" lacks the "control" scope' })
  t.equal((await call('GET', '/api/v1/instances', GRAFANA)).statusCode, 200)

  const open = await setup(t, [])
  const anon = await open.call('POST', '/api/v1/instances/lab/h1-stopped/power-off')
  t.equal(anon.statusCode, 403, 'without configured keys control is closed')
  t.match(anon.json().message, 'this needs an API key with the "control" scope: add one to api.apiKeys')
  t.equal((await open.call('GET', '/api/v1/instances')).statusCode, 200, 'reads stay open')
})

t.test('status codes: 501 unsupported, 404 unknown or not visible, 409 no idle GPU, 502 provider failure, 400 bad mode', async t => {
  const { call, simulator } = await setup(t)
  const unsupported = await call('POST', '/api/v1/instances/monitor/ro-1/power-on', OPS)
  t.same([unsupported.statusCode, unsupported.json().code, unsupported.json().message], [501, 'CW_ERR_NOT_SUPPORTED', 'power on is not supported by nezha'])
  t.equal((await call('POST', '/api/v1/instances/lab/nope/power-on', OPS)).statusCode, 404)
  t.equal((await call('POST', '/api/v1/instances/tg-42/mine-1/power-off', OPS)).statusCode, 404, 'an account added through the bot is its owner\'s alone')
  const full = await call('POST', '/api/v1/instances/lab/h2-full/power-on', OPS)
  t.same([full.statusCode, full.json().code], [409, 'CW_ERR_CONFLICT'])
  t.match(full.json().message, 'has 0 of 8 GPUs idle and the instance needs 2')
  t.equal((await call('POST', '/api/v1/instances/lab/h2-full/power-on', OPS, { mode: 'no_gpu' })).statusCode, 202, 'no-GPU mode needs no idle GPU')
  simulator.inject('/api/v1/instance/power_on', { code: 'TORecharge', msg: '余额不足' })
  const failed = await call('POST', '/api/v1/instances/lab/h1-stopped/power-on', OPS)
  t.same([failed.statusCode, failed.json().code], [502, 'CW_ERR_PROVIDER_API'])
  t.match(failed.json().message, 'TORecharge (余额不足)')
  const badMode = await call('POST', '/api/v1/instances/lab/h1-stopped/power-on', OPS, { mode: 'turbo' })
  t.equal(badMode.statusCode, 400)
  t.match(badMode.json().message, 'body.mode: must be one of: "gpu", "no_gpu"')
  t.equal((await call('GET', '/api/v1/actions/does-not-exist', OPS)).statusCode, 404)
})

t.test('every action is audited with the key name; GET /api/v1/audit', async t => {
  const { call, host } = await setup(t)
  const { id } = (await call('POST', '/api/v1/instances/lab/h1-stopped/power-on', OPS)).json()
  await host.actions.settled(id)
  await call('POST', '/api/v1/instances/lab/h2-full/power-on', OPS)
  const audit = (await call('GET', '/api/v1/audit?limit=10', GRAFANA)).json()
  t.same(audit.map((e: { action: string; result: string; actor: { key: string } }) => [e.action, e.result, e.actor.key]), [
    ['power-on', 'refused', 'ops'], ['power-on', 'succeeded', 'ops'], ['power-on', 'requested', 'ops']])
  t.match(audit[0].detail, 'has 0 of 8 GPUs idle')
  t.equal((await call('GET', '/api/v1/audit?provider=monitor', GRAFANA)).json().length, 0)
})

t.test('mutes over HTTP: create, list, delete; clear errors', async t => {
  const { call } = await setup(t)
  const created = await call('POST', '/api/v1/mutes', OPS, { target: 'trainer', duration: '2h', reason: 'maintenance' })
  t.equal(created.statusCode, 201)
  const mute = created.json()
  t.match(mute, { target: { provider: 'lab', instanceId: 'h1-stopped' }, label: 'trainer', by: 'api:ops', reason: 'maintenance' })
  t.ok(Math.abs(Date.parse(mute.until) - Date.now() - 2 * 3600_000) < 60_000)
  t.equal((await call('POST', '/api/v1/mutes', OPS, { target: 'lab', duration: '30m' })).json().target.instanceId, undefined, 'a provider entry')
  t.equal((await call('GET', '/api/v1/mutes', GRAFANA)).json().length, 2)
  t.equal((await call('POST', '/api/v1/mutes', GRAFANA, { target: 'lab', duration: '1h' })).statusCode, 403)
  const bad = await call('POST', '/api/v1/mutes', OPS, { target: 'lab', duration: 'soon' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, 'duration: "soon" is not a duration; write e.g. 30m, 2h, 1h30m, 1d')
  t.equal((await call('POST', '/api/v1/mutes', OPS, { target: 'lab', duration: '90d' })).statusCode, 400)
  t.equal((await call('POST', '/api/v1/mutes', OPS, { target: 'nothing-like-this', duration: '1h' })).statusCode, 404)
  t.equal((await call('DELETE', `/api/v1/mutes/${mute.id}`, OPS)).statusCode, 204)
  t.equal((await call('DELETE', `/api/v1/mutes/${mute.id}`, OPS)).statusCode, 404)
  t.equal((await call('GET', '/api/v1/mutes', GRAFANA)).json().length, 1)
})

t.test('a store that cannot write: POST /api/v1/mutes answers 503 CW_ERR_STORE and keeps nothing; reads go on', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-api-store-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const captured = captureLog()
  const store = await openStateStore(`file:${join(dir, 'cw.json')}`, { baseDir: '/', log: captured.log })
  t.teardown(() => store.close())
  const { call, captured: hostLog } = await setup(t, undefined, store)
  t.equal((await call('POST', '/api/v1/mutes', OPS, { target: 'lab', duration: '1h' })).statusCode, 201)
  const original = storeFileIo.write
  storeFileIo.write = async () => { throw Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' }) }
  t.teardown(() => { storeFileIo.write = original })
  for (let i = 0; i < 20; i++) {
    const refused = await call('POST', '/api/v1/mutes', OPS, { target: 'monitor', duration: '1h' })
    t.equal(refused.statusCode, 503)
    t.match(refused.json(), { code: 'CW_ERR_STORE', message: /EROFS.*nothing was changed/ })
  }
  const listed = await call('GET', '/api/v1/mutes', GRAFANA)
  t.equal(listed.statusCode, 200)
  t.same(listed.json().map((m: { target: { provider: string } }) => m.target.provider), ['lab'], 'only the mute that was kept')
  t.equal(captured.entries().filter(l => Number(l['level']) >= 50).length, 1, 'the store: one error line for 20 refused requests')
  t.equal(hostLog.entries().filter(l => Number(l['level']) >= 40).length, 0, 'the API: no warning or error line of its own')
})
