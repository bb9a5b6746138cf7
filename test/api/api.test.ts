import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import t, { type Test } from 'tap'
import { AutodlProvider, normalizeAutodlOptions } from '../../providers/autodl/index.js'
import { buildApi } from '../../src/api/index.js'
import { Aggregator } from '../../src/core/aggregator.js'
import { ProviderAuthError } from '../../src/core/errors.js'
import { instanceSchema, INSTANCE_STATES } from '../../src/core/instance.js'
import { capabilitiesSchema, providerStatusSchema } from '../../src/core/snapshot.js'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'
import { captureLog } from '../helpers/log.js'
import { makeDeps } from '../helpers/provider.js'
import { demoInstances, type SimInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'

const KEY = 'test-api-key-0123456789abcdef'
const PASSWORD = 'api-test-password'

async function setup (t: Test, apiKeys: string[] = []) {
  const instances: SimInstance[] = demoInstances(new Date())
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: PASSWORD, instances }] })
  t.teardown(() => simulator.close())
  const captured = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 5000, log: captured.log, secrets: captured.secrets })
  const deps = makeDeps('lab', { captured })
  await aggregator.add({
    id: 'lab', type: 'autodl', log: deps.log,
    provider: new AutodlProvider(normalizeAutodlOptions({ phone: '13800000000', password: PASSWORD, baseUrl: simulator.url }), deps)
  })
  const broken = new FakeProvider()
  broken.next = { error: new ProviderAuthError('AutoDL login failed: LoginFailed (手机号或密码错误)') }
  await aggregator.add({ id: 'other', type: 'autodl', provider: broken, log: captured.log })
  const mine = new FakeProvider()
  mine.next = { instances: [fakeInstance('private-1')] }
  await aggregator.add({ id: 'tg-42', type: 'autodl', provider: mine, log: captured.log })
  await aggregator.refresh()
  const app = await buildApi({ aggregator, apiKeys: apiKeys.map((key, i) => ({ name: `key-${i + 1}`, key, scopes: ['read' as const] })), log: captured.log, version: '1.2.3' })
  t.teardown(() => app.close())
  return { app, aggregator, simulator, instances, captured, deps }
}

const ajv = new Ajv({ strict: false })
addFormatsModule.default(ajv)
ajv.addSchema(capabilitiesSchema)
ajv.addSchema(instanceSchema)
const validStatus = ajv.compile(providerStatusSchema)
const validInstance = ajv.compile({ $ref: 'Instance#' })

t.test('GET /healthz', async t => {
  const { app } = await setup(t, [KEY])
  const res = await app.inject('/healthz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

t.test('GET /api/v1/instances returns the view, valid against the schemas', async t => {
  const { app, instances } = await setup(t)
  const res = await app.inject('/api/v1/instances')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.type(body.generatedAt, 'string')
  t.equal(body.instances.length, instances.length, 'every simulated instance')
  t.ok(body.instances.every((i: unknown) => validInstance(i)), 'every instance matches the Instance schema')
  t.ok(body.providers.every((p: unknown) => validStatus(p)), 'every provider status matches its schema')
  t.same(body.providers.map((p: { id: string }) => p.id), ['lab', 'other'], 'the entry owned by a Telegram user is not in the API')
  t.notOk(body.instances.some((i: { id: string }) => i.id === 'private-1'))
  t.match(body.providers[1], { id: 'other', ok: false, error: { code: 'CW_ERR_PROVIDER_AUTH', message: /LoginFailed/ } })
})

t.test('filters: provider, type, state, gpuIdle', async t => {
  const { app } = await setup(t)
  const ids = async (query: string) => (await app.inject(`/api/v1/instances?${query}`)).json().instances as Array<Record<string, any>>
  t.equal((await ids('provider=other')).length, 0)
  t.ok((await ids('provider=lab')).length > 0)
  t.equal((await ids('type=nezha')).length, 0)
  const stopped = await ids('state=stopped')
  t.ok(stopped.length >= 2 && stopped.every(i => i.state === 'stopped'))
  const idle = await ids('gpuIdle=true')
  t.ok(idle.length > 0)
  t.ok(idle.every(i => i.gpu.hostIdle >= i.gpu.requested), 'host has at least the requested idle GPUs')
  t.notOk(idle.some(i => i.name === 'sd-webui'), 'a host with 0 idle is excluded')
  t.ok(idle.some(i => i.name === 'a800-pretrain'), '6 idle ≥ 4 requested is included')
  t.notOk(idle.some(i => i.name === '017机' && i.gpu.hostIdle < i.gpu.requested))
  const busy = await ids('gpuIdle=false')
  t.ok(busy.every(i => i.gpu === null || i.gpu.hostIdle < (i.gpu.requested ?? 1)))
  t.equal(idle.length + busy.length, (await ids('')).length)
  t.same((await ids('state=stopped&gpuIdle=true&provider=lab')).map(i => i.name).sort(), ['641机', 'a800-pretrain'].sort())
})

t.test('bad query values give 400 with what is allowed', async t => {
  const { app } = await setup(t)
  const state = await app.inject('/api/v1/instances?state=off')
  t.equal(state.statusCode, 400)
  t.equal(state.json().code, 'CW_ERR_VALIDATION', 'a code from the catalogue, not Fastify\'s own')
  t.equal(state.json().message, `querystring.state: must be one of: ${INSTANCE_STATES.map(s => `"${s}"`).join(', ')}`)
  const idle = await app.inject('/api/v1/instances?gpuIdle=yes')
  t.equal(idle.statusCode, 400)
  t.equal(idle.json().message, 'querystring.gpuIdle: must be a boolean (true or false)')
  const unknown = await app.inject('/api/v1/instances?region=x')
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json().message, 'querystring.region: unknown parameter (allowed: provider, type, state, gpuIdle)')
})

t.test('GET /api/v1/providers', async t => {
  const { app } = await setup(t)
  const res = await app.inject('/api/v1/providers')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(body.map((p: { id: string }) => p.id), ['lab', 'other'])
  t.match(body[0], { ok: true, type: 'autodl', capabilities: { powerOn: true, powerOff: true, noGpuMode: true, releaseAfterStopSeconds: 1296000 } })
})

t.test('API keys: everything but /healthz needs a Bearer key', async t => {
  const { app } = await setup(t, [KEY, 'second-key-abcdefghijklmnop'])
  for (const url of ['/api/v1/instances', '/api/v1/providers', '/metrics', '/api/v1/openapi.json']) {
    const none = await app.inject(url)
    t.equal(none.statusCode, 401, `${url} without a key`)
    t.equal(none.headers['www-authenticate'], 'Bearer realm="computewatch"')
    t.match(none.json(), { code: 'CW_ERR_UNAUTHORIZED', message: /Authorization: Bearer <key>/ })
    t.equal((await app.inject({ url, headers: { authorization: `Bearer ${KEY}x` } })).statusCode, 401, `${url} with a wrong key`)
    t.equal((await app.inject({ url, headers: { authorization: KEY } })).statusCode, 401, `${url} without the Bearer scheme`)
    t.equal((await app.inject({ url, headers: { authorization: `Bearer ${KEY}` } })).statusCode, 200, `${url} with the key`)
  }
  t.equal((await app.inject({ url: '/api/v1/providers', headers: { authorization: 'bearer second-key-abcdefghijklmnop' } })).statusCode, 200, 'any configured key, scheme case-insensitive')
  t.equal((await app.inject('/api/v1/nope')).statusCode, 401, 'unknown routes do not reveal themselves without a key')
})

t.test('no secret from the provider or the config in any response or log line', async t => {
  const { app, instances, simulator, captured, deps } = await setup(t, [KEY])
  const headers = { authorization: `Bearer ${KEY}` }
  const bodies = await Promise.all(['/healthz', '/api/v1/instances', '/api/v1/providers', '/metrics', '/api/v1/openapi.json',
    '/api/v1/instances?state=bogus', '/api/v1/nope'].map(async url => (await app.inject({ url, headers })).body))
  const token = (await deps.store.get<{ token: string }>('session'))!.token
  const secrets = [PASSWORD, token, KEY, ...instances.flatMap(i => [i['root_password'], i['jupyter_token'], i['ssh_command']] as string[])]
    .filter(s => s.length > 3)
  t.ok(secrets.length > 10)
  const everything = [...bodies, ...captured.lines].join('\n')
  for (const secret of secrets) t.notOk(everything.includes(secret), `"${secret.slice(0, 4)}…" appears nowhere`)
  t.ok(simulator.stats.logins >= 1)
})

t.test('GET /metrics: Prometheus text from the same view', async t => {
  const { app, aggregator } = await setup(t)
  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.body
  t.match(text, 'computewatch_provider_up{provider="lab",type="autodl"} 1')
  t.match(text, 'computewatch_provider_up{provider="other",type="autodl"} 0')
  t.notOk(text.includes('tg-42'), 'owned entries are not exported')
  const seed = aggregator.snapshot.instances.find(i => i.id === '2dee4c9145-b0f2fdc8')!
  t.match(text, `computewatch_instance_host_gpus_idle{provider="lab",instance_id="2dee4c9145-b0f2fdc8"} ${seed.gpu!.hostIdle}`)
  t.match(text, `computewatch_instance_release_timestamp_seconds{provider="lab",instance_id="2dee4c9145-b0f2fdc8"} ${Date.parse(seed.releaseAt!) / 1000}`)
  t.match(text, 'computewatch_instance_price_yuan_per_hour{provider="lab",instance_id="2dee4c9145-b0f2fdc8"} 1.577')
  t.match(text, /computewatch_instance_info\{provider="lab",type="autodl",instance_id="h20x8gz06-[0-9a-f]+",name="migrating-one",region="广州A区",gpu_model="H20-NVLink"\} 1/)
  // The state is a state set of its own: one series per state, 1 for the current one; not a label of the info metric.
  t.match(text, /computewatch_instance_state\{provider="lab",instance_id="h20x8gz06-[0-9a-f]+",state="unknown"\} 1/)
  t.match(text, /computewatch_instance_state\{provider="lab",instance_id="h20x8gz06-[0-9a-f]+",state="running"\} 0/)
  t.notOk(/computewatch_instance_info\{[^}]*state=/.test(text), 'no state in the info metric')
  t.notOk(/\{[^}]*\binstance="/.test(text), 'no label named instance: Prometheus sets it to the target')
})

t.test('GET /api/v1/openapi.json documents the routes and the schemas', async t => {
  const { app } = await setup(t)
  const doc = (await app.inject('/api/v1/openapi.json')).json()
  t.equal(doc.info.version, '1.2.3')
  t.ok(doc.paths['/api/v1/instances'] && doc.paths['/api/v1/providers'] && doc.paths['/healthz'] && doc.paths['/metrics'])
  t.same(doc.paths['/api/v1/instances'].get.parameters.map((p: { name: string }) => p.name).sort(), ['gpuIdle', 'provider', 'state', 'type'])
})

t.test('cached bodies follow the snapshot: a new poll is visible at once', async t => {
  const { app, aggregator, simulator } = await setup(t)
  const idleOf = async () => (await app.inject('/api/v1/instances?provider=lab')).json().instances
    .find((i: { id: string }) => i.id === '2dee4c9145-b0f2fdc8').gpu.hostIdle
  const metric = async () => /computewatch_instance_host_gpus_idle\{provider="lab",instance_id="2dee4c9145-b0f2fdc8"\} (\d+)/.exec((await app.inject('/metrics')).body)?.[1]
  t.equal(await idleOf(), 1)
  t.equal(await metric(), '1')
  simulator.setHostIdle('2dee4c9145', 5)
  t.equal(await idleOf(), 1, 'unchanged until the next poll')
  await aggregator.refresh('lab')
  t.equal(await idleOf(), 5)
  t.equal(await metric(), '5')
})

t.test('GET /metrics: live metrics, last seen, expiry and account values of other providers', async t => {
  const { nezhaSampleServers, startNezhaSimulator } = await import('../../src/demo/simulators/nezha/server.js')
  const { boardmateSampleUser, startBoardmateSimulator } = await import('../../src/demo/simulators/boardmate/server.js')
  const { NezhaProvider, normalizeNezhaOptions } = await import('../../providers/nezha/index.js')
  const { BoardmateProvider } = await import('../../providers/boardmate/index.js')
  const nezha = await startNezhaSimulator({ version: 'v0', servers: nezhaSampleServers(), tokens: ['metrics-token-0001'] })
  const bm = await startBoardmateSimulator({ apiKey: 'bm-metrics-key-0001', users: { '123456789012345678': boardmateSampleUser() } })
  t.teardown(() => nezha.close())
  t.teardown(() => bm.close())
  const captured = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 5000, log: captured.log, secrets: captured.secrets })
  await aggregator.add({ id: 'srv', type: 'nezha', log: captured.log, provider: new NezhaProvider(normalizeNezhaOptions({ baseUrl: nezha.url, token: 'metrics-token-0001' }), makeDeps('srv', { captured })) })
  await aggregator.add({ id: 'shop', type: 'boardmate', log: captured.log, provider: new BoardmateProvider({ baseUrl: bm.url, apiKey: 'bm-metrics-key-0001', discordUserId: '123456789012345678' }, makeDeps('shop', { captured })) })
  await aggregator.refresh()
  const app = await buildApi({ aggregator, apiKeys: [], log: captured.log, version: 't' })
  t.teardown(() => app.close())
  const text = (await app.inject('/metrics')).body
  t.match(text, 'computewatch_instance_cpu_usage_ratio{provider="srv",instance_id="1"} 0.125')
  t.match(text, 'computewatch_instance_memory_total_bytes{provider="srv",instance_id="1"} 17179869184')
  t.match(text, 'computewatch_instance_network_receive_bytes_per_second{provider="srv",instance_id="1"} 10806')
  t.match(text, 'computewatch_instance_gpu_usage_ratio{provider="srv",instance_id="1"} 0.6')
  t.match(text, /computewatch_instance_last_seen_timestamp_seconds\{provider="srv",instance_id="3"\} \d+/)
  t.notOk(/computewatch_instance_last_seen_timestamp_seconds\{provider="srv",instance_id="4"\}/.test(text), 'never seen: no sample')
  t.match(text, 'computewatch_provider_account_value{provider="shop",type="boardmate",key="money"} 5269')
  t.match(text, 'computewatch_provider_account_value{provider="shop",type="boardmate",key="quota.servers"} 3')
  t.match(text, 'computewatch_instance_memory_total_bytes{provider="shop",instance_id="22389661"} 1073741824')
})

t.test('a client mistake is one info line without a stack; a server error is an error line with the stack', async t => {
  const { app, captured } = await setup(t, ['k'.repeat(20)])
  app.get('/boom', async () => { throw new Error('a bug in a route') })
  const before = captured.lines.length
  t.equal((await app.inject({ url: '/api/v1/instances?state=off', headers: { authorization: `Bearer ${'k'.repeat(20)}` } })).statusCode, 400)
  t.equal((await app.inject({ url: '/api/v1/instances', headers: { authorization: 'Bearer wrong-key-000000' } })).statusCode, 401)
  const refused = captured.entries().slice(before).filter(e => (e['level'] as number) >= 30)
  t.same(refused.map(e => [e['level'], e['msg'], e['statusCode'], e['code']]), [
    [30, 'request refused', 400, 'CW_ERR_VALIDATION'],
    [30, 'request refused', 401, 'CW_ERR_UNAUTHORIZED']
  ], 'one info line each')
  t.notOk(refused.some(e => 'err' in e || JSON.stringify(e).includes('    at ')), 'no stack trace')
  const mark = captured.lines.length
  t.equal((await app.inject({ url: '/boom', headers: { authorization: `Bearer ${'k'.repeat(20)}` } })).statusCode, 500)
  const failed = captured.entries().slice(mark).filter(e => (e['level'] as number) >= 50)
  t.equal(failed.length, 1)
  t.match(failed[0], { err: { message: 'a bug in a route', stack: /at / } }, 'the stack, to find the bug')
})
