import { PassThrough } from 'node:stream'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { builtinProviders } from '../../../providers/index.js'
import { ComputeshareProvider, normalizeComputeshareOptions } from '../../../providers/computeshare/index.js'
import { runProviderCommand } from '../../../src/commands/provider-command.js'
import { parseConfig } from '../../../src/config/load.js'
import { ConfigError, NotSupportedError, ProviderApiError, ProviderAuthError, ProviderResponseError } from '../../../src/core/errors.js'
import { createRegistry } from '../../../src/core/registry.js'
import { memoryStateStore } from '../../../src/core/store.js'
import { makeDeps } from '../../helpers/provider.js'
import { computeshareSampleVms, startComputeshareSimulator } from '../../../src/demo/simulators/computeshare/server.js'
import { ALERT_RULES } from '../../../src/alerts/rules/index.js'

const USER = { username: '13000000000', password: 'cs-password-1' }

async function setup (t: Test) {
  const vms = computeshareSampleVms()
  const simulator = await startComputeshareSimulator({ users: [USER, { username: 'other', password: 'x' }], vms, transitionMs: 50 })
  t.teardown(() => simulator.close())
  const config = normalizeComputeshareOptions({ ...USER, baseUrl: simulator.url })
  return { simulator, vms, config }
}

t.test('login with the plain password, Bearer token, status enum mapped, deleted dropped, expiry in ISO', async t => {
  const { simulator, vms, config } = await setup(t)
  const list = await new ComputeshareProvider(config, makeDeps('cs')).listInstances()
  t.same(simulator.requests[0]?.body, USER)
  t.match(simulator.requests.at(-1)?.headers['authorization'], /^Bearer eyJ/)
  t.same(list.map(i => [i.name, i.state, i.providerState]), [
    ['build-runner', 'running', 'running'],
    ['staging', 'stopped', 'closed'],
    ['old-trial', 'stopped', 'expired'],
    ['odd-one', 'unknown', '42'],
    ['renew-me', 'running', 'running']
  ], 'deleted (7) is dropped; expired (8) kept as stopped; an unknown number kept as its word')
  const runner = list[0]!
  t.equal(runner.expiresAt, new Date(vms[0]!.expirationTime).toISOString())
  t.same(runner.metrics, { cpuPercent: 37.5 })
  t.equal(runner.gpu, null)
  t.equal(runner.region, null)
  t.notOk(JSON.stringify(list).includes('vnc-'), 'fields outside the mapping never pass')
})

t.test('HTTP 401: one re-login (shared by concurrent calls), then the call is repeated', async t => {
  const { simulator, config } = await setup(t)
  const provider = new ComputeshareProvider(config, makeDeps('cs'))
  await provider.listInstances()
  simulator.expireTokens()
  await Promise.all([provider.listInstances(), provider.listInstances(), provider.listInstances()])
  t.equal(simulator.stats.logins, 2)
})

t.test('the 20-year token survives a restart', async t => {
  const { simulator, config } = await setup(t)
  const store = memoryStateStore()
  await new ComputeshareProvider(config, makeDeps('cs', { store })).listInstances()
  await new ComputeshareProvider(config, makeDeps('cs', { store })).listInstances()
  t.equal(simulator.stats.logins, 1)
})

t.test('a wrong password surfaces the kratos reason and backs off', async t => {
  const { simulator } = await setup(t)
  const provider = new ComputeshareProvider(normalizeComputeshareOptions({ ...USER, password: 'nope', baseUrl: simulator.url }), makeDeps('cs'))
  const err = await provider.listInstances().catch(e => e)
  t.type(err, ProviderAuthError)
  t.match(err.message, 'computeshare login failed: PASSWORD_ERROR (密码错误)')
  await t.rejects(provider.listInstances(), /not trying again until/)
  t.equal(simulator.stats.requests['/api/v1/user/loginWithClient'], 1)
})

t.test('start and stop: PUT with {} and JSON content type; asynchronous', async t => {
  const { simulator, vms, config } = await setup(t)
  const provider = new ComputeshareProvider(config, makeDeps('cs'))
  const staging = vms[1]!
  await provider.powerOn(staging.id, { mode: 'gpu' })
  const put = simulator.requests.at(-1)!
  t.same([put.method, put.path, put.body, put.headers['content-type']], ['PUT', `/api/v1/instance/${staging.id}/start`, {}, 'application/json'])
  t.equal(simulator.vm(staging.id)?.status, 2, 'starting')
  await provider.powerOff(vms[0]!.id)
  t.equal(simulator.requests.at(-1)?.path, `/api/v1/instance/${vms[0]!.id}/stop`)
  await t.rejects(provider.powerOn(staging.id, { mode: 'no_gpu' }), NotSupportedError)
  const err = await provider.powerOn('no-such-vm', { mode: 'gpu' }).catch(e => e)
  t.type(err, ProviderApiError)
  t.match(err.message, 'ent: compute_instance not found', 'a kratos 500 keeps its message')
})

t.test('a non-200 code in a 2xx body, and garbage, are errors', async t => {
  const { simulator, config } = await setup(t)
  const provider = new ComputeshareProvider(config, makeDeps('cs'))
  simulator.inject('/api/v1/instance', { status: 200, body: { code: 500, reason: 'INTERNAL', message: 'db down' } })
  await t.rejects(provider.listInstances(), /INTERNAL \(db down\)/)
  simulator.inject('/api/v1/instance', 'garbage')
  await t.rejects(provider.listInstances(), ProviderResponseError)
  simulator.inject('/api/v1/instance', { status: 200, body: { code: 200, message: 'success', data: [{ id: 'x', name: 'n', status: 1, expirationTime: 1717000000000 }] } })
  await t.rejects(provider.listInstances(), /data\[0\]\.expirationTime: must be a string/, 'int64 comes as a string')
})

t.test('create-sandbox: spec file → base64 compose, confirmation, public ip:port of each mapping', async t => {
  const { simulator } = await setup(t)
  const dir = await mkdtemp(join(tmpdir(), 'cw-sandbox-'))
  await writeFile(join(dir, 'compose.yaml'), 'services:\n  proxy:\n    image: nginx\n    ports:\n      - 80:80\n')
  const specFile = join(dir, 'spec.json')
  await writeFile(specFile, JSON.stringify({
    specId: 1, imageId: 1, name: 'demo-sandbox', password: 'vm-Secret-pass', dockerComposeFile: 'compose.yaml',
    networkMappings: [{ name: 'nginx', protocol: 'TCP', computerPort: 80 }, { name: 'ssh', protocol: 'TCP', computerPort: 22 }]
  }))
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({ store: `file:${join(dir, 'state.json')}`, providers: [{ id: 'cs', type: 'computeshare', ...USER, baseUrl: simulator.url }] }, { registry, alertRules: ALERT_RULES, env: {} })
  const output = new PassThrough()
  let printed = ''
  output.on('data', d => { printed += String(d) })

  const createSandbox = async (o: { providerId: string; yes: boolean; input: NodeJS.ReadableStream }): Promise<number> =>
    await runProviderCommand({ config, registry, type: 'computeshare', command: 'create-sandbox', options: { file: specFile }, output, ...o })

  const notTty = await createSandbox({ providerId: 'cs', yes: false, input: new PassThrough() }).catch(e => e)
  t.type(notTty, ConfigError)
  t.match(notTty.message, 'confirm with --yes')
  t.equal(simulator.stats.requests['/api/v1/sandbox'], undefined, 'nothing created without confirmation')

  const tty = Object.assign(new PassThrough(), { isTTY: true })
  const declined = createSandbox({ providerId: 'cs', yes: false, input: tty })
  tty.write('n\n')
  t.equal(await declined, 1, 'declined: exit 1')
  t.match(printed, 'create computeshare sandbox "demo-sandbox" on cs: spec 1, image 1, 30 day(s) for 100 cycle(s) (billed now), ports nginx:80, ssh:22', 'the term and price are the spec\'s, as the server has them')
  t.equal(simulator.stats.requests['/api/v1/sandbox'], undefined)

  t.equal(await createSandbox({ providerId: 'cs', yes: true, input: new PassThrough() }), 0, 'created: exit 0')
  const sent = simulator.requests.at(-1)!.body as { instance: Record<string, unknown>; networkMapping: unknown[] }
  t.same(sent.instance, {
    specId: 1, imageId: 1, name: 'demo-sandbox', publicKey: '', password: 'vm-Secret-pass',
    dockerCompose: Buffer.from('services:\n  proxy:\n    image: nginx\n    ports:\n      - 80:80\n').toString('base64')
  })
  t.same(sent.networkMapping, [{ name: 'nginx', protocol: 'TCP', computerPort: 80 }, { name: 'ssh', protocol: 'TCP', computerPort: 22 }])
  const instanceId = /sandbox created: instance (\S+)\n/.exec(printed)?.[1]
  t.match(printed, `sandbox created: instance ${instanceId}\n  nginx  port 80 → 61.172.179.73:41071\n  ssh  port 22 → 61.172.179.73:41072\n`)
  t.notOk(printed.includes('vm-Secret-pass'))
  t.ok(simulator.vm(instanceId!), 'the VM exists')
  t.ok(Math.abs(Number(simulator.vm(instanceId!)!.expirationTime) - (Date.now() + 30 * 86400_000)) < 60_000, 'rented for the spec\'s 30 days')
})

t.test('create-sandbox: a bad spec and a wrong entry are clear errors', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-sandbox-'))
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({ providers: [{ id: 'cs', type: 'computeshare', ...USER }] }, { registry, alertRules: ALERT_RULES, env: {} })
  const specFile = join(dir, 'spec.json')
  await writeFile(specFile, JSON.stringify({ specId: 1, imageId: 1, durationMonths: 1, name: 'x', networkMappings: [{ name: 'w', protocol: 'UDP', computerPort: 80 }] }))
  const io = { output: new PassThrough(), input: new PassThrough(), yes: true, config, registry, type: 'computeshare', command: 'create-sandbox', options: { file: specFile } }
  const bad = await runProviderCommand({ ...io, providerId: 'cs' }).catch(e => e)
  t.same(bad.issues, ['durationMonths: is no longer taken: the term is the spec\'s own (the confirmation shows its days and price); remove it', 'networkMappings[0].protocol: must be one of: "TCP"', '(root): set publicKey or password, or you cannot log in to the VM'])
  const wrong = await runProviderCommand({ ...io, providerId: 'lab' }).catch(e => e)
  t.same(wrong.issues, ['--provider: no computeshare entry "lab" in the config (computeshare entries: cs)'])
})

t.test('an unknown user (HTTP 500, empty reason, as upstream answers it) is a refused login that backs off', async t => {
  const { simulator } = await setup(t)
  const provider = new ComputeshareProvider(normalizeComputeshareOptions({ ...USER, username: 'nobody', baseUrl: simulator.url }), makeDeps('cs'))
  const err = await provider.listInstances().catch(e => e)
  t.type(err, ProviderAuthError)
  t.match(err.message, /computeshare login failed: unknown user "nobody" \(ent: user not found\); next attempt after/)
  for (let poll = 0; poll < 5; poll++) await t.rejects(provider.listInstances(), /not trying again until/)
  t.equal(simulator.stats.requests['/api/v1/user/loginWithClient'], 1, 'one attempt, not one per poll')
})

t.test('the simulator refuses the removed `duration` field, and StatsTime is epoch milliseconds as a string', async t => {
  const { simulator, config } = await setup(t)
  const provider = new ComputeshareProvider(config, makeDeps('cs'))
  await provider.listInstances()
  const token = String(simulator.requests.find(r => r.path === '/api/v1/instance')?.headers['authorization'])
  const res = await fetch(`${simulator.url}/v1/sandbox`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ instance: { specId: 1, imageId: 1, duration: 3, name: 'x' } }) })
  t.equal(res.status, 400)
  const list = await (await fetch(`${simulator.url}/v1/instance`, { headers: { authorization: token } })).json() as { data: Array<{ stats: Array<{ StatsTime: string }> }> }
  t.match(list.data[0]!.stats[0]!.StatsTime, /^\d{13}$/)
  t.same(await provider.specPrice(2), { day: 30, cycle: 180 })
})
