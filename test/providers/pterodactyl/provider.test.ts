import t, { type Test } from 'tap'
import { builtinProviders } from '../../../providers/index.js'
import { normalizePterodactylOptions, PterodactylProvider, type PterodactylOptions } from '../../../providers/pterodactyl/index.js'
import { parseConfig } from '../../../src/config/load.js'
import { NotSupportedError, ProviderApiError, ProviderAuthError, ProviderResponseError } from '../../../src/core/errors.js'
import { createRegistry } from '../../../src/core/registry.js'
import { makeDeps } from '../../helpers/provider.js'
import { pterodactylSampleServers, simPteroServer, startPterodactylSimulator, type PterodactylSimulatorOptions } from '../../../src/demo/simulators/pterodactyl/server.js'
import { ALERT_RULES } from '../../../src/alerts/rules/index.js'

const KEY = 'ptlc_0123456789abcdefABCDEF0123456789abcdefABCDEF'

async function setup (t: Test, sim: Partial<PterodactylSimulatorOptions> = {}, options: Partial<PterodactylOptions> = {}) {
  const simulator = await startPterodactylSimulator({ keys: [KEY], servers: pterodactylSampleServers(), transitionMs: 50, ...sim })
  t.teardown(() => simulator.close())
  const provider = new PterodactylProvider(normalizePterodactylOptions({ baseUrl: simulator.url, apiKey: KEY, ...options }), makeDeps('ptero'))
  t.teardown(() => provider.close())
  return { simulator, provider }
}

t.test('lists every server with its live state; node is the region; limits and usage in metrics', async t => {
  const { simulator, provider } = await setup(t)
  const list = await provider.listInstances()
  const first = simulator.requests[0]!
  t.equal(first.headers['accept'], 'Application/vnd.pterodactyl.v1+json')
  t.equal(first.headers['authorization'], `Bearer ${KEY}`)
  t.same(list.map(i => [i.name, i.state, i.providerState]), [
    ['Minecraft SMP', 'running', 'running'],
    ['Valheim', 'stopped', 'offline'],
    ['Discord bot', 'starting', 'starting'],
    ['Fresh install', 'starting', 'installing'],
    ['Unpaid', 'stopped', 'suspended'],
    ['On a dead node', 'unknown', 'unavailable'],
    ['Weird state', 'unknown', 'hibernating']
  ])
  t.same(list[0], {
    id: '1a2b3c4d', name: 'Minecraft SMP', region: 'node-hk-1', state: 'running', providerState: 'running', gpu: null,
    stoppedAt: null, releaseAt: null, pricePerHour: null, url: `${simulator.url}/server/1a2b3c4d`,
    metrics: { cpuPercent: 23.5, memoryUsedBytes: 536870912, memoryTotalBytes: 1024 * 1048576, diskUsedBytes: 1073741824, diskTotalBytes: 5120 * 1048576, uptimeSeconds: 3600 }
  })
  t.match(list[2]?.metrics, { memoryTotalBytes: null, diskTotalBytes: null }, 'a limit of 0 means unlimited')
  t.match(list[5]?.metrics, { cpuPercent: null, memoryTotalBytes: 1024 * 1048576 }, 'no live stats when Wings is down; limits still known')
  t.notOk(JSON.stringify(list).includes('rcon-'), 'startup variables and the invocation never pass')
})

t.test('pages through total_pages (per_page 100; links may be [])', async t => {
  const servers = Array.from({ length: 230 }, (_, i) => simPteroServer({ identifier: `s${String(i).padStart(7, '0')}` }))
  const { simulator, provider } = await setup(t, { servers, rateLimit: 100_000 }, { concurrency: 8, requestsPerMinute: 60_000 })
  const list = await provider.listInstances()
  t.equal(list.length, 230)
  t.same(simulator.requests.filter(r => r.path === '/api/client').map(r => r.query), [
    { page: '1', per_page: '100' }, { page: '2', per_page: '100' }, { page: '3', per_page: '100' }])
})

t.test('live state is fetched with bounded concurrency', async t => {
  const servers = Array.from({ length: 20 }, (_, i) => simPteroServer({ identifier: `c${String(i).padStart(7, '0')}` }))
  const { simulator, provider } = await setup(t, { servers, latencyMs: 30 }, { concurrency: 3, requestsPerMinute: 720 })
  await provider.listInstances()
  t.ok(simulator.maxInFlight() <= 3, `at most 3 requests at once (saw ${simulator.maxInFlight()})`)
  t.ok(simulator.maxInFlight() >= 2, 'and it does run them in parallel')
})

t.test('requests are paced under the panel limit: no 429 at all', async t => {
  // The simulated panel counts in fixed windows (like Laravel's throttle) of 1 s and allows 5 in one;
  // the entry is set to 120 a minute (2 a second). Two paced seconds can straddle one fixed window, so
  // up to 4 may land in it: 5 leaves room for the arrival jitter of a loaded machine. Unpaced, the 8
  // requests of a listing come at once and are limited.
  const { simulator, provider } = await setup(t, { rateLimit: 5, rateWindowMs: 1000 }, { concurrency: 4, requestsPerMinute: 120 })
  t.equal((await provider.listInstances()).length, 7)
  t.equal(simulator.stats.limited, 0)
  const unpaced = await setup(t, { rateLimit: 5, rateWindowMs: 1000 }, { concurrency: 4, requestsPerMinute: 6000 })
  await unpaced.provider.listInstances()
  t.ok(unpaced.simulator.stats.limited > 0, 'the same listing unpaced is limited: the pacing is what kept it under')
})

t.test('a 429 waits for Retry-After, then succeeds', async t => {
  const { simulator, provider } = await setup(t, { rateLimit: 3, rateWindowMs: 1000 }, { concurrency: 4, requestsPerMinute: 720 })
  const list = await provider.listInstances()
  t.equal(list.length, 7)
  t.ok(simulator.stats.limited >= 1, 'the panel did limit')
  t.ok(list.filter(i => i.providerState !== 'unavailable').length === 6, 'every live state was fetched in the end')
})

t.test('a bad key is a 401 with errors[] (not a redirect, thanks to Accept)', async t => {
  const { simulator } = await setup(t)
  const provider = new PterodactylProvider(normalizePterodactylOptions({ baseUrl: simulator.url, apiKey: 'ptlc_wrongwrongwrongwrong' }), makeDeps('p'))
  const err = await provider.listInstances().catch(e => e)
  t.type(err, ProviderAuthError)
  t.equal(err.message, 'Pterodactyl rejected the API key (AuthenticationException: Unauthenticated.); create a client key under Account → API Credentials')
  const raw = await fetch(`${simulator.url}/api/client`, { redirect: 'manual', headers: { authorization: 'Bearer nope' } })
  t.equal(raw.status, 302, 'the simulator, like the panel, redirects without a JSON Accept')
})

t.test('an application key is refused by the config and by the panel', async t => {
  const registry = createRegistry(builtinProviders)
  let issues: unknown
  try { parseConfig({ providers: [{ id: 'p', type: 'pterodactyl', baseUrl: 'https://panel.test', apiKey: 'ptla_0123456789abcdef0123' }] }, { registry, alertRules: ALERT_RULES, env: {} }) } catch (err) { issues = (err as { issues: unknown }).issues }
  t.same(issues, ['providers[0].apiKey: must be a client API key "ptlc_…" (Account → API Credentials; keys from before 2022 are 48 characters without a prefix); application keys (ptla_) do not work on the client API'])
  const { simulator } = await setup(t)
  const provider = new PterodactylProvider({ baseUrl: simulator.url, apiKey: 'ptla_0123456789abcdef0123', concurrency: 1, requestsPerMinute: 60 }, makeDeps('p'))
  await t.rejects(provider.listInstances(), /refused the key: You are attempting to use an application API key/)
})

t.test('power: start and stop signals, 204; errors keep the panel\'s code and detail', async t => {
  const { simulator, provider } = await setup(t)
  await provider.powerOn('5e6f7a8b', { mode: 'gpu' })
  t.same([simulator.requests.at(-1)?.method, simulator.requests.at(-1)?.path, simulator.requests.at(-1)?.body], ['POST', '/api/client/servers/5e6f7a8b/power', { signal: 'start' }])
  t.equal(simulator.server('5e6f7a8b')?.powerState, 'starting')
  await provider.powerOff('1a2b3c4d')
  t.same(simulator.requests.at(-1)?.body, { signal: 'stop' })
  const missing = await provider.powerOn('deadbeef', { mode: 'gpu' }).catch(e => e)
  t.type(missing, ProviderApiError)
  t.equal(missing.providerCode, 'NotFoundHttpException')
  // The panel's own 409 (a state that changed since the list) is a conflict with its words.
  simulator.server('5e6f7a8b')!.isTransferring = true
  t.match(await provider.powerOff('5e6f7a8b').catch(e => e), { code: 'CW_ERR_CONFLICT', statusCode: 409, message: /being transferred to a new machine/ })
  await t.rejects(provider.powerOn('1a2b3c4d', { mode: 'no_gpu' }), NotSupportedError)
})

t.test('garbage and wrong shapes are response errors', async t => {
  const { simulator, provider } = await setup(t)
  simulator.inject('/api/client', 'garbage')
  await t.rejects(provider.listInstances(), ProviderResponseError)
  simulator.inject('/api/client', { status: 200, body: { object: 'list', data: [{ attributes: { identifier: 1 } }], meta: {} } })
  await t.rejects(provider.listInstances(), /page 1: unexpected answer: body\.data\[0\]\.attributes\.name: is required/)
})

t.test('servers the panel answers 409 for are not asked for /resources, get their own words, and power is refused locally', async t => {
  const servers = [
    ...pterodactylSampleServers(),
    simPteroServer({ identifier: 'tr4nsf3r', name: 'Moving', isTransferring: true, powerState: 'offline' }),
    simPteroServer({ identifier: 'm41nt3n0', name: 'On maintenance', nodeUnderMaintenance: true, powerState: 'running' }),
    simPteroServer({ identifier: 'r3st0r3b', name: 'Restoring', status: 'restoring_backup', powerState: 'offline' })
  ]
  const { simulator, provider } = await setup(t, { servers })
  const list = await provider.listInstances()
  const asked = simulator.requests.filter(r => r.path.endsWith('/resources')).map(r => r.path.split('/')[4])
  for (const blocked of ['3a4b5c6d', '7e8f9a0b', 'tr4nsf3r', 'm41nt3n0', 'r3st0r3b']) t.notOk(asked.includes(blocked), `no /resources for ${blocked}`)
  t.equal(simulator.stats.requests['/api/client/servers/:server/resources'], servers.length - 5)
  const byId = Object.fromEntries(list.map(i => [i.id, i]))
  t.match(byId['tr4nsf3r'], { state: 'stopped', providerState: 'transferring' })
  t.match(byId['m41nt3n0'], { state: 'offline', providerState: 'node_maintenance' })
  t.match(byId['r3st0r3b'], { state: 'starting', providerState: 'restoring_backup' })
  const before = simulator.requests.length
  const refused = await provider.powerOn('7e8f9a0b', { mode: 'gpu' }).catch(e => e)
  t.match(refused, { code: 'CW_ERR_CONFLICT', statusCode: 409, message: /cannot power on 7e8f9a0b: the server is suspended/ })
  await t.rejects(provider.powerOff('tr4nsf3r'), /the server is transferring/)
  t.equal(simulator.requests.length, before, 'nothing was sent')
})

t.test('a panel with 1,000 servers completes a poll within its budget; unread servers keep their last state, stale', async t => {
  const servers = Array.from({ length: 1000 }, (_, i) => simPteroServer({ identifier: `s${String(i).padStart(7, '0')}`, name: `srv-${i}` }))
  const { provider } = await setup(t, { servers }, { requestsPerMinute: 1200, concurrency: 4 })
  const poll = async () => await provider.listInstances({ deadline: Date.now() + 1500 })
  const first = await poll()
  t.equal(first.length, 1000, 'every server listed')
  const read = first.filter(i => i.state === 'running').length
  t.ok(read > 0 && read < 1000, `${read} live states read in the first poll's budget`)
  const second = await poll()
  t.ok(second.filter(i => i.stale === true && i.state === 'running').length >= read - 40, 'the ones read before and not now: last state, stale')
  t.ok(second.filter(i => i.state === 'running' && i.stale !== true).length > 0, 'others read fresh: the oldest first')
})

t.test('a client key from before 2022 (no ptlc_ prefix) is accepted with a warning', async t => {
  const legacy = 'A'.repeat(16) + 'b'.repeat(32)
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({ providers: [{ id: 'p', type: 'pterodactyl', baseUrl: 'https://panel.test', apiKey: legacy }] }, { registry, alertRules: ALERT_RULES, env: {} })
  t.equal(config.providers[0]?.options['apiKey'], legacy)
  const deps = makeDeps('p')
  void new PterodactylProvider(normalizePterodactylOptions({ baseUrl: 'https://panel.test', apiKey: legacy }), deps)
  t.ok(deps.captured.entries().some(l => l['level'] === 40 && /no ptlc_ prefix: a key created before 2022/.test(String(l['msg']))))
})
