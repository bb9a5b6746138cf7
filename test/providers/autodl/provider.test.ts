import t, { type Test } from 'tap'
import { AutodlProvider, normalizeAutodlOptions, sha1Hex } from '../../../providers/autodl/index.js'
import { PAGE_SIZE } from '../../../providers/autodl/provider.js'
import { ProviderApiError, ProviderAuthError, ProviderHttpError, ProviderResponseError } from '../../../src/core/errors.js'
import { memoryStateStore } from '../../../src/core/store.js'
import { makeDeps } from '../../helpers/provider.js'
import { SEED_INSTANCE, SEED_INSTANCE_MAPPED, demoInstances, manyInstances, makeInstance } from '../../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator, type AutodlSimulatorOptions } from '../../../src/demo/simulators/autodl/server.js'
import { startRecordingProxy } from '../../helpers/telegram.js'

const PHONE = '13800000000'
const PASSWORD = 'correct horse battery'

async function setup (t: Test, sim: Partial<AutodlSimulatorOptions> = {}, account: { instances?: ReturnType<typeof demoInstances> } = {}) {
  const simulator = await startAutodlSimulator({
    transitionMs: 50,
    ...sim,
    accounts: sim.accounts ?? [{ phone: PHONE, password: PASSWORD, instances: account.instances ?? demoInstances(new Date()) }]
  })
  t.teardown(() => simulator.close())
  const config = normalizeAutodlOptions({ phone: PHONE, password: PASSWORD, baseUrl: simulator.url })
  return { simulator, config }
}

t.test('login sends the SHA-1 of the password, then the ticket to passport, then the raw token', async t => {
  const { simulator, config } = await setup(t)
  const provider = new AutodlProvider(config, makeDeps())
  const list = await provider.listInstances()
  t.ok(list.length > 0)
  const [login, passport, instance] = simulator.requests
  t.equal(login?.path, '/api/v1/new_login')
  t.same(login?.body, { phone: PHONE, password: sha1Hex(PASSWORD), v_code: '', phone_area: '+86', picture_id: null })
  t.match((login?.body as { password: string }).password, /^[0-9a-f]{40}$/)
  t.equal(passport?.path, '/api/v1/passport')
  t.equal(instance?.path, '/api/v1/instance')
  t.notOk(String(instance?.headers['authorization']).startsWith('Bearer'), 'token is sent raw, without Bearer')
  t.equal(simulator.stats.logins, 1)
})

t.test('the plain password is not kept after normalization', async t => {
  const config = normalizeAutodlOptions({ phone: PHONE, password: PASSWORD })
  t.notOk(JSON.stringify(config).includes(PASSWORD))
  t.equal(config.passwordSha1, sha1Hex(PASSWORD))
})

t.test('listInstances() follows max_page when the server caps page_size', async t => {
  const instances = manyInstances(57)
  const { simulator, config } = await setup(t, { pageSizeCap: 10 }, { instances })
  const list = await new AutodlProvider(config, makeDeps()).listInstances()
  t.equal(list.length, 57, 'every instance of every page')
  t.same(new Set(list.map(i => i.id)), new Set(instances.map(i => i.uuid)))
  const pages = simulator.requests.filter(r => r.path === '/api/v1/instance').map(r => (r.body as { page_index: number; page_size: number }))
  t.same(pages.map(p => p.page_index), [1, 2, 3, 4, 5, 6])
  t.ok(pages.every(p => p.page_size === PAGE_SIZE), 'asks for its page size; the server answers with a smaller one')
})

t.test('an empty account lists nothing (max_page 0)', async t => {
  const { config } = await setup(t, {}, { instances: [] })
  t.same(await new AutodlProvider(config, makeDeps()).listInstances(), [])
})

t.test('maps the seed instance and drops every access secret', async t => {
  const { config } = await setup(t)
  const list = await new AutodlProvider(config, makeDeps()).listInstances()
  const seed = list.find(i => i.id === SEED_INSTANCE.uuid)
  t.same(seed, SEED_INSTANCE_MAPPED)
  const text = JSON.stringify(list)
  for (const word of ['root_password', 'jupyter_token', 'ssh_command', 'SRfVpAGh+7xr', 'RootPw-', 'jt_', 'ssh -p']) {
    t.notOk(text.includes(word), `no ${word} in the mapped instances`)
  }
})

t.test('the token survives a restart: a second provider on the same store does not log in', async t => {
  const { simulator, config } = await setup(t)
  const store = memoryStateStore()
  await new AutodlProvider(config, makeDeps('lab', { store })).listInstances()
  await new AutodlProvider(config, makeDeps('lab', { store })).listInstances()
  t.equal(simulator.stats.logins, 1)
})

t.test('a stored token of other credentials is not used', async t => {
  const { simulator, config } = await setup(t, { accounts: [
    { phone: PHONE, password: PASSWORD, instances: [] }, { phone: '13900000000', password: 'other', instances: [] }] })
  const store = memoryStateStore()
  await new AutodlProvider(config, makeDeps('lab', { store })).listInstances()
  const other = normalizeAutodlOptions({ phone: '13900000000', password: 'other', baseUrl: simulator.url })
  await new AutodlProvider(other, makeDeps('lab', { store })).listInstances()
  t.equal(simulator.stats.logins, 2)
})

t.test('an expired token costs exactly one re-login, even under concurrent requests', async t => {
  const { simulator, config } = await setup(t, { latencyMs: 20 })
  const provider = new AutodlProvider(config, makeDeps())
  await provider.listInstances()
  t.equal(simulator.stats.logins, 1)
  simulator.expireTokens()
  const results = await Promise.all(Array.from({ length: 8 }, () => provider.listInstances()))
  t.ok(results.every(r => r.length === results[0]!.length && r.length > 0), 'every call succeeds after the re-login')
  t.equal(simulator.stats.logins, 2, 'one login for eight concurrent expired calls')
  t.equal(simulator.stats.requests['/api/v1/new_login'], 2)
})

t.test('AuthorizeFailed on a power call: one re-login, then the call is repeated once', async t => {
  const { simulator, config } = await setup(t)
  const provider = new AutodlProvider(config, makeDeps())
  await provider.listInstances() // a call accepted the token
  simulator.expireTokens()
  const target = demoInstances(new Date())[3]!
  await provider.powerOn(target.uuid, { mode: 'no_gpu' }).catch(() => {})
  t.equal(simulator.stats.logins, 2)
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], 2, 'the rejected call and its one repetition')
})

t.test('a rejected fresh token counts as a failed login: no new login for 5 min, doubling, across restarts', async t => {
  const { simulator, config } = await setup(t)
  let clock = Date.parse('2026-11-21T00:00:00Z')
  const store = memoryStateStore()
  const provider = new AutodlProvider(config, makeDeps('lab', { store }), () => clock)
  simulator.inject('/api/v1/instance', 'authorizeFailed', 2) // AutoDL rejects the next two tokens, fresh ones too
  const first = await provider.listInstances().catch(e => e)
  t.type(first, ProviderAuthError)
  for (let poll = 0; poll < 12; poll++) { // a poll every 20 s for 4 minutes
    clock += 20_000
    await t.rejects(provider.listInstances(), /rejected the token its last login issued \(.*\); not trying again until 2026-11-21T00:05:00/)
  }
  await t.rejects(new AutodlProvider(config, makeDeps('lab', { store }), () => clock).listInstances(), /not trying again until/, 'a restart waits too')
  t.equal(simulator.stats.logins, 1, 'one login in 4 minutes and 13 polls')
  t.equal(simulator.stats.requests['/api/v1/instance'], 1, 'and one list call: a blocked poll sends nothing')
  clock += 61_000 // 5 min after the login
  await t.rejects(provider.listInstances(), ProviderAuthError)
  t.equal(simulator.stats.logins, 2, 'the second login after 5 min')
  clock += 5 * 60_000
  await t.rejects(provider.listInstances(), /not trying again until/, 'then 10 min')
  t.equal(simulator.stats.logins, 2)
  clock += 5 * 60_000
  t.ok((await provider.listInstances()).length > 0, 'AutoDL accepts tokens again: the third login works')
  t.equal(simulator.stats.logins, 3)
  simulator.expireTokens()
  t.ok((await provider.listInstances()).length > 0, 'a token that worked and then expired is renewed at once')
  t.equal(simulator.stats.logins, 4)
})

t.test('a failed login is not retried in a loop, and the block survives a restart', async t => {
  const { simulator } = await setup(t)
  const wrong = normalizeAutodlOptions({ phone: PHONE, password: 'wrong', baseUrl: simulator.url })
  const store = memoryStateStore()
  const provider = new AutodlProvider(wrong, makeDeps('lab', { store }))
  const err = await provider.listInstances().catch(e => e)
  t.type(err, ProviderAuthError)
  t.match(err.message, /AutoDL login failed: LoginFailed \(手机号或密码错误\); next attempt after/)
  await t.rejects(provider.listInstances(), /not trying again until/)
  await t.rejects(new AutodlProvider(wrong, makeDeps('lab', { store })).listInstances(), /not trying again until/)
  t.equal(simulator.stats.requests['/api/v1/new_login'], 1, 'one attempt in all')
  // Fixed credentials are not blocked.
  const right = normalizeAutodlOptions({ phone: PHONE, password: PASSWORD, baseUrl: simulator.url })
  t.ok((await new AutodlProvider(right, makeDeps('lab', { store })).listInstances()).length > 0)
})

t.test('a captcha demand is reported as such and blocks logins', async t => {
  const { simulator, config } = await setup(t)
  simulator.inject('/api/v1/new_login', { code: 'NeedVerifyCode', msg: '请输入图形验证码' })
  const provider = new AutodlProvider(config, makeDeps())
  await t.rejects(provider.authenticate(), /asks for a captcha .*: log in once in a browser/)
  await t.rejects(provider.authenticate(), /not trying again/)
  t.equal(simulator.stats.requests['/api/v1/new_login'], 1)
})

t.test('concurrent first calls share one login', async t => {
  const { simulator, config } = await setup(t, { latencyMs: 20 })
  const provider = new AutodlProvider(config, makeDeps())
  await Promise.all([provider.listInstances(), provider.listInstances(), provider.authenticate()])
  t.equal(simulator.stats.requests['/api/v1/new_login'], 1)
})

t.test('a pasted token: Bearer stripped, no login, a clear error when it expires', async t => {
  const { simulator, config } = await setup(t)
  const issued = await (async () => {
    const deps = makeDeps()
    await new AutodlProvider(config, deps).authenticate()
    return (await deps.store.get<{ token: string }>('session'))!.token
  })()
  const pasted = normalizeAutodlOptions({ token: `Bearer ${issued}`, baseUrl: simulator.url })
  t.equal(pasted.token, issued)
  const provider = new AutodlProvider(pasted, makeDeps())
  const logins = simulator.stats.requests['/api/v1/new_login']
  t.ok((await provider.listInstances()).length > 0)
  t.equal(simulator.stats.requests['/api/v1/new_login'], logins, 'no login with a pasted token')
  t.equal(simulator.requests.at(-1)?.headers['authorization'], issued)
  simulator.expireTokens()
  const err = await provider.listInstances().catch(e => e)
  t.type(err, ProviderAuthError)
  t.match(err.message, /copy a fresh one from the browser/)
  t.notOk(err.message.includes(issued), 'the token is not in the message')
})

t.test('power on with GPU, in no-GPU mode, and off', async t => {
  const target = makeInstance({ machine_id: 'hostA', status: 'shutdown', req_gpu_amount: 2, gpu_all_num: 8, gpu_idle_num: 2 })
  const other = makeInstance({ machine_id: 'hostA', status: 'shutdown', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 2 })
  const { simulator, config } = await setup(t, {}, { instances: [target, other] })
  const provider = new AutodlProvider(config, makeDeps())

  await provider.powerOn(target.uuid, { mode: 'gpu' })
  t.same(simulator.requests.at(-1)?.body, { instance_uuid: target.uuid })
  t.equal(simulator.instance(target.uuid)?.status, 'starting')
  await waitFor(() => simulator.instance(target.uuid)?.status === 'running')
  let listed = await provider.listInstances()
  t.equal(listed.find(i => i.id === target.uuid)?.state, 'running')
  t.equal(listed.find(i => i.id === other.uuid)?.gpu?.hostIdle, 0, 'the host pool is shared by its instances')

  const err = await provider.powerOn(other.uuid, { mode: 'gpu' }).catch(e => e)
  t.type(err, ProviderApiError)
  t.equal(err.providerCode, 'MachineGpuNotEnough')
  t.match(err.message, /MachineGpuNotEnough \(主机GPU不足/)

  await provider.powerOn(other.uuid, { mode: 'no_gpu' })
  t.same(simulator.requests.at(-1)?.body, { instance_uuid: other.uuid, payload: 'non_gpu' })
  t.equal(simulator.instance(other.uuid)?.start_mode, 'non_gpu')

  await provider.powerOff(target.uuid)
  t.same(simulator.requests.at(-1)?.body, { instance_uuid: target.uuid })
  await waitFor(() => simulator.instance(target.uuid)?.status === 'shutdown')
  listed = await provider.listInstances()
  const stopped = listed.find(i => i.id === target.uuid)!
  t.equal(stopped.state, 'stopped')
  t.ok(Date.parse(stopped.releaseAt!) - Date.parse(stopped.stoppedAt!) === 15 * 86400_000, 'release 15 days after the new stop')
  t.ok(Math.abs(Date.parse(stopped.stoppedAt!) - Date.now()) < 60_000, 'stoppedAt moved to now')
})

t.test('power calls are never repeated after a lost answer', async t => {
  const target = makeInstance({ machine_id: 'hostB', status: 'shutdown' })
  const { simulator, config } = await setup(t, {}, { instances: [target] })
  const provider = new AutodlProvider(config, makeDeps())
  await provider.authenticate()
  simulator.inject('/api/v1/instance/power_on', 'reset')
  await t.rejects(provider.powerOn(target.uuid, { mode: 'gpu' }), ProviderHttpError)
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], 1)
})

t.test('a lost answer of a list call is retried', async t => {
  const { simulator, config } = await setup(t)
  const provider = new AutodlProvider(config, makeDeps())
  await provider.authenticate()
  simulator.inject('/api/v1/instance', 'reset')
  t.ok((await provider.listInstances()).length > 0)
  t.equal(simulator.stats.requests['/api/v1/instance'], 2)
})

t.test('AutoDL error codes surface with code and msg', async t => {
  const { simulator, config } = await setup(t)
  const provider = new AutodlProvider(config, makeDeps())
  simulator.inject('/api/v1/instance', { code: 'TORealName', msg: '请先完成实名认证' })
  const err = await provider.listInstances().catch(e => e)
  t.type(err, ProviderApiError)
  t.equal(err.providerCode, 'TORealName')
  t.equal(err.providerMessage, '请先完成实名认证')
  t.match(await provider.powerOn('no-such-uuid', { mode: 'gpu' }).catch(e => e), { providerCode: 'InstanceNotFound' })
})

t.test('garbage, HTTP 5xx and wrong field types are provider errors', async t => {
  const { simulator, config } = await setup(t)
  const provider = new AutodlProvider(config, makeDeps())
  await provider.authenticate()
  simulator.inject('/api/v1/instance', 'garbage')
  await t.rejects(provider.listInstances(), ProviderResponseError)
  simulator.inject('/api/v1/instance', 'http500', 3)
  await t.rejects(provider.listInstances(), { name: 'ProviderHttpError', httpStatus: 500 })
  simulator.inject('/api/v1/instance', { code: 'Success', msg: '' } as never)
  await t.rejects(provider.listInstances(), /unexpected answer: data: must be an object/)
})

t.test('one malformed instance is skipped with a warning naming it and its field; the others stay listed', async t => {
  const bad = makeInstance({ machine_id: 'hostC', uuid: 'bad-1', gpu_idle_num: 'one' as never })
  const good = makeInstance({ machine_id: 'hostD', uuid: 'good-1', name: 'keeper' })
  const { config } = await setup(t, {}, { instances: [bad, good] })
  const deps = makeDeps()
  const provider = new AutodlProvider(config, deps)
  const list = await provider.listInstances()
  t.same(list.map(i => i.id), ['good-1'])
  t.equal(provider.skippedInstances(), 1)
  t.ok(deps.captured.entries().some(l => l['level'] === 40 && /skipped: instance bad-1: gpu_idle_num: must be an integer/.test(String(l['msg']))), 'the warning names the instance and the field')
})

t.test('Go-style nulls: null optional fields, null times and `list: null` are tolerated', async t => {
  const nulls = makeInstance({ machine_id: 'hostN', uuid: 'null-1', status: 'running' })
  Object.assign(nulls, { sub_status: null, name: null, req_gpu_amount: null, snapshot_gpu_alias_name: null, stopped_at: null, started_at: null, payg_price: null, region_name: null, unknown_new_field: { x: 1 } })
  const { config, simulator } = await setup(t, {}, { instances: [nulls] })
  const [mapped] = await new AutodlProvider(config, makeDeps()).listInstances()
  t.match(mapped, { id: 'null-1', state: 'running', stoppedAt: null, releaseAt: null, pricePerHour: null })
  t.equal(mapped?.gpu?.requested, null)
  const empty = await startAutodlSimulator({ accounts: [{ phone: '13700000000', password: 'pw', instances: [] }] })
  t.teardown(() => empty.close())
  t.same(await new AutodlProvider(normalizeAutodlOptions({ phone: '13700000000', password: 'pw', baseUrl: empty.url }), makeDeps()).listInstances(), [], 'list: null is an empty account')
  const sent = simulator.requests.find(r => r.path === '/api/v1/instance')
  t.ok(sent, 'the simulator was asked')
})

t.test('session expiry is recognised by AutoDL\'s message text too, not only by AuthorizeFailed', async t => {
  const { simulator, config } = await setup(t, { expiryAnswer: 'message' })
  const provider = new AutodlProvider(config, makeDeps())
  await provider.listInstances()
  simulator.expireTokens()
  t.ok((await provider.listInstances()).length > 0, 'logged in again and listed')
  t.equal(simulator.stats.logins, 2)
  simulator.inject('/api/v1/instance', { code: 'Fail', msg: '请求过于频繁' })
  await t.rejects(provider.listInstances(), /Fail \(请求过于频繁\)/, 'another failure is not taken for an expiry')
  t.equal(simulator.stats.logins, 2)
})

async function waitFor (condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}


t.test('the proxy option sends every call through the proxy', async t => {
  const { simulator, config } = await setup(t)
  const proxy = await startRecordingProxy(t)
  const provider = new AutodlProvider(config, makeDeps('lab', { proxy: proxy.url }))
  t.ok((await provider.listInstances()).length > 0)
  const host = new URL(simulator.url).host
  t.same(proxy.seen, [
    `POST http://${host}/api/v1/new_login`, `POST http://${host}/api/v1/passport`, `POST http://${host}/api/v1/instance`, `GET http://${host}/api/v1/wallet`
  ])
})

t.test('the balance: GET /api/v1/wallet, data.assets in milli-yuan, read at most every 5 minutes; a failed read keeps the last', async t => {
  const { simulator, config } = await setup(t)
  let now = Date.parse('2026-11-21T08:00:00Z')
  const deps = makeDeps('lab')
  const provider = new AutodlProvider(config, deps, () => now)
  t.equal(provider.accountDetails(), null, 'nothing before the first poll')
  await provider.listInstances()
  t.same(provider.accountDetails(), { balanceYuan: 100 }, '100,000 milli-yuan')
  const wallet = () => simulator.requests.filter(r => r.path === '/api/v1/wallet').length
  await provider.listInstances()
  t.equal(wallet(), 1, 'not read again within 5 minutes')
  now += 5 * 60_000
  simulator.inject('/api/v1/wallet', 'http500', 5)
  t.ok((await provider.listInstances()).length > 0, 'a failed wallet read does not fail the poll')
  t.same(provider.accountDetails(), { balanceYuan: 100 }, 'the last balance is kept')
  now += 5 * 60_000
  simulator.inject('/api/v1/wallet', { status: 200, body: { code: 'Success', data: { balance: '100' }, msg: '' } })
  await provider.listInstances()
  t.same(provider.accountDetails(), { balanceYuan: 100 }, 'nor does an answer without data.assets')
  t.equal(deps.captured.entries().filter(e => e['msg'] === 'could not read the AutoDL wallet; the balance shown is the last one read').length, 2, 'each failed read said once')
})
