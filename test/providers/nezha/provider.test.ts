import t, { type Test } from 'tap'
import { NezhaProvider, normalizeNezhaOptions, type NezhaOptions } from '../../../providers/nezha/index.js'
import { NotSupportedError, ProviderAuthError, ProviderResponseError } from '../../../src/core/errors.js'
import { memoryStateStore } from '../../../src/core/store.js'
import { makeDeps } from '../../helpers/provider.js'
import { nezhaSampleServers, startNezhaSimulator, type NezhaSimulatorOptions } from '../../../src/demo/simulators/nezha/server.js'

const NOW = new Date()
const V0_TOKEN = 'v0-api-token-abcdefghijklmnop'
const PAT = 'nzp_personal-access-token-0123456789'

async function sim (t: Test, version: 'v0' | 'v1', extra: Partial<NezhaSimulatorOptions> = {}) {
  const simulator = await startNezhaSimulator({
    version, servers: nezhaSampleServers(NOW), tokens: [V0_TOKEN], users: [{ username: 'admin', password: 'nezha-pass' }], pats: [PAT], ...extra
  })
  t.teardown(() => simulator.close())
  return simulator
}

function provider (options: Omit<NezhaOptions, 'baseUrl'> & { baseUrl: string }, deps = makeDeps('nz')) {
  return new NezhaProvider(normalizeNezhaOptions(options), deps, () => NOW)
}

t.test('v0: server/details with the raw token; PascalCase mapped to standard units', async t => {
  const simulator = await sim(t, 'v0')
  const list = await provider({ baseUrl: simulator.url, token: V0_TOKEN, apiVersion: 'v0' }).listInstances()
  t.equal(simulator.requests.at(-1)?.headers['authorization'], V0_TOKEN, 'raw token, no Bearer')
  t.equal(list.length, 5)
  const gpuBox = list.find(i => i.name === 'gpu-box-4090')!
  t.same(gpuBox, {
    id: '1', name: 'gpu-box-4090', region: 'CN', state: 'running', providerState: 'online',
    gpu: { model: 'NVIDIA GeForce RTX 4090', requested: null, hostTotal: null, hostIdle: null },
    stoppedAt: null, releaseAt: null, pricePerHour: null, url: `${simulator.url}/server/1`,
    lastSeenAt: new Date(Math.floor(NOW.getTime() / 1000) * 1000).toISOString(),
    metrics: {
      cpuPercent: 12.5, memoryUsedBytes: 4294967296, memoryTotalBytes: 17179869184, diskUsedBytes: 53687091200, diskTotalBytes: 214748364800,
      networkInBytesPerSecond: 10806, networkOutBytesPerSecond: 5303, load1: 0.42, uptimeSeconds: 331080, gpuPercent: 60
    }
  })
  t.match(list.find(i => i.name === 'web-hk'), { state: 'running', gpu: null, metrics: { gpuPercent: null } }, '5 s ago is online')
  t.match(list.find(i => i.name === 'db-sg'), { state: 'offline', providerState: 'offline', metrics: null }, 'an hour ago is offline')
  t.match(list.find(i => i.name === 'new-agent'), { state: 'offline', providerState: 'never_seen', lastSeenAt: null })
  t.notOk(JSON.stringify(list).includes('203.0.113'), 'no IP addresses')
})

t.test('v0: tag lists one group; a bad token is an auth error without retry', async t => {
  const simulator = await sim(t, 'v0')
  const edge = await provider({ baseUrl: simulator.url, token: V0_TOKEN, tag: 'edge' }).listInstances()
  t.same(edge.map(i => i.name), ['edge-us'])
  t.same(simulator.requests.at(-1)?.query, { tag: 'edge' })
  const err = await provider({ baseUrl: simulator.url, token: 'wrong-token-12345678', apiVersion: 'v0' }).listInstances().catch(e => e)
  t.type(err, ProviderAuthError)
  t.match(err.message, /Nezha rejected the configured token \(访问此接口需要认证\); create a new API token/)
  t.notOk(err.message.includes('wrong-token'))
})

t.test('auto: a raw token is tried on v0 and works there', async t => {
  const simulator = await sim(t, 'v0')
  const p = provider({ baseUrl: simulator.url, token: V0_TOKEN })
  t.equal((await p.listInstances()).length, 5)
  t.equal((await p.listInstances()).length, 5)
  t.equal(simulator.stats.requests['/api/v1/server/details'], 2, 'no extra probe call')
})

t.test('auto: a raw token on a v1 dashboard says what to configure instead', async t => {
  const simulator = await sim(t, 'v1')
  await t.rejects(provider({ baseUrl: simulator.url, token: V0_TOKEN }).listInstances(),
    /does not answer like Nezha v0 \(it looks like v1\/v2\).*set username and password, or a personal access token nzp_/)
})

t.test('v1: login, Bearer JWT, snake_case with omitempty mapped the same way', async t => {
  const simulator = await sim(t, 'v1')
  const p = provider({ baseUrl: simulator.url, username: 'admin', password: 'nezha-pass' })
  await p.authenticate()
  const list = await p.listInstances()
  t.equal(simulator.stats.logins, 1)
  t.match(simulator.requests.at(-1)?.headers['authorization'], /^Bearer eyJ/)
  t.equal(list.length, 5)
  t.match(list.find(i => i.name === 'gpu-box-4090'), {
    region: 'CN', state: 'running', gpu: { model: 'NVIDIA GeForce RTX 4090' }, metrics: { gpuPercent: 60, cpuPercent: 12.5, memoryTotalBytes: 17179869184 }
  })
  t.match(list.find(i => i.name === 'new-agent'), { state: 'offline', providerState: 'never_seen', lastSeenAt: null, metrics: null })
  t.match(list.find(i => i.name === 'db-sg'), { state: 'offline', providerState: 'offline' })
})

t.test('v1: an expired JWT costs exactly one re-login, shared by concurrent calls', async t => {
  const simulator = await sim(t, 'v1')
  const p = provider({ baseUrl: simulator.url, username: 'admin', password: 'nezha-pass' })
  await p.listInstances()
  simulator.expireTokens()
  await Promise.all([p.listInstances(), p.listInstances(), p.listInstances()])
  t.equal(simulator.stats.logins, 2)
})

t.test('v1: a JWT past its expire time is renewed before use', async t => {
  const simulator = await sim(t, 'v1', { jwtTtlMs: 10_000 })
  const p = provider({ baseUrl: simulator.url, username: 'admin', password: 'nezha-pass' })
  await p.listInstances()
  await p.listInstances()
  t.equal(simulator.stats.logins, 2, 'expire is within the 30 s safety margin: renewed without a rejected call first')
  t.equal(simulator.stats.requests['/api/v1/server'], 2, 'and no call was wasted on a rejection')
})

t.test('v1: the token survives a restart', async t => {
  const simulator = await sim(t, 'v1')
  const store = memoryStateStore()
  await provider({ baseUrl: simulator.url, username: 'admin', password: 'nezha-pass' }, makeDeps('nz', { store })).listInstances()
  await provider({ baseUrl: simulator.url, username: 'admin', password: 'nezha-pass' }, makeDeps('nz', { store })).listInstances()
  t.equal(simulator.stats.logins, 1)
})

t.test('v1: a refused login backs off instead of hammering (WAF risk)', async t => {
  const simulator = await sim(t, 'v1')
  const p = provider({ baseUrl: simulator.url, username: 'admin', password: 'wrong' })
  await t.rejects(p.listInstances(), /Nezha login failed: ApiErrorUnauthorized; next attempt after/)
  await t.rejects(p.listInstances(), /not trying again until/)
  t.equal(simulator.stats.failedLogins, 1)
})

t.test('v2 personal access token: Bearer nzp_, no login; a bad one is a clear error', async t => {
  const simulator = await sim(t, 'v1')
  t.equal((await provider({ baseUrl: simulator.url, token: PAT }).listInstances()).length, 5)
  t.equal(simulator.requests.at(-1)?.headers['authorization'], `Bearer ${PAT}`)
  t.equal(simulator.stats.logins, 0)
  const err = await provider({ baseUrl: simulator.url, token: 'nzp_revoked-token-000000' }).listInstances().catch(e => e)
  t.type(err, ProviderAuthError)
  t.match(err.message, /rejected the configured token \(ApiErrorUnauthorized: invalid api token\); create a new personal access token/)
})

t.test('no power control: both verbs reject with NotSupportedError (501)', async t => {
  const simulator = await sim(t, 'v0')
  const p = provider({ baseUrl: simulator.url, token: V0_TOKEN })
  t.same(p.capabilities, { powerOn: false, powerOff: false, noGpuMode: false, releaseAfterStopSeconds: null })
  const err = await p.powerOn('1', { mode: 'gpu' }).catch(e => e)
  t.type(err, NotSupportedError)
  t.equal(err.statusCode, 501)
  t.equal(err.message, 'powerOn is not supported by nezha')
  await t.rejects(p.powerOff('1'), NotSupportedError)
})

t.test('garbage and wrong types are response errors', async t => {
  const simulator = await sim(t, 'v0')
  const p = provider({ baseUrl: simulator.url, token: V0_TOKEN, apiVersion: 'v0' })
  simulator.inject('/api/v1/server/details', 'garbage')
  await t.rejects(p.listInstances(), ProviderResponseError)
  simulator.inject('/api/v1/server/details', { status: 200, body: { code: 0, message: 'success', result: [{ id: 'x', name: 'n', last_active: 1 }] } })
  await t.rejects(p.listInstances(), /data\[0\]\.id: must be an integer/)
})

t.test('config: an explicit apiVersion is obeyed, and contradictory credentials say which to remove', async t => {
  const { parseConfig } = await import('../../../src/config/load.js')
  const { createRegistry } = await import('../../../src/core/registry.js')
  const { builtinProviders } = await import('../../../providers/index.js')
  const { ALERT_RULES } = await import('../../../src/alerts/rules/index.js')
  const issues = (entry: object): string[] => {
    try {
      parseConfig({ providers: [{ id: 'nz', type: 'nezha', baseUrl: 'https://nezha.example', ...entry }] }, { registry: createRegistry(builtinProviders), alertRules: ALERT_RULES, env: {} })
      return []
    } catch (err) { return (err as { issues?: string[] }).issues ?? [String(err)] }
  }
  t.match(issues({ apiVersion: 'v1', token: V0_TOKEN }), [/apiVersion "v1" .* takes a personal access token nzp_… or username and password; this token looks like a v0 API token/])
  t.match(issues({ token: PAT, username: 'admin', password: 'nezha-pass' }), [/set token or username and password, not both: remove token to log in with the password, or remove username and password to use the token/])
  t.same(issues({ apiVersion: 'v1', token: PAT }), [])
  // Obeyed: v1 with a PAT goes straight to the v1 endpoint, never probing v0.
  const simulator = await sim(t, 'v1')
  t.equal((await provider({ baseUrl: simulator.url, apiVersion: 'v1', token: PAT }).listInstances()).length, 5)
  t.notOk(simulator.requests.some(r => r.path === '/api/v1/server/details'), 'no v0 probe')
})
