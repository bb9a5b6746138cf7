import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'
import { buildHost } from '../../src/app.js'
import { parseConfig } from '../../src/config/load.js'
import { createRegistry } from '../../src/core/registry.js'
import { memoryStateStore } from '../../src/core/store.js'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'
import { captureLog } from '../helpers/log.js'

const OPS = 'ops-control-key-0123456789'
const READER = 'grafana-read-key-0123456789'

async function setup (t: Test, apiKeys: unknown[] = [{ name: 'ops', key: OPS, scopes: ['read', 'control'] }, { name: 'grafana', key: READER, scopes: ['read'] }]) {
  const simulator = await startAutodlSimulator({
    transitionMs: 40,
    accounts: [{ phone: '13800000000', password: 'pw', instances: [
      makeInstance({ uuid: 'h1-stopped', machine_id: 'h1', name: 'trainer', status: 'shutdown', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 3, payg_price: 1880, snapshot_gpu_alias_name: 'RTX 4090', stopped_at: nullTime(new Date(Date.now() - 86400_000)) }),
      makeInstance({ uuid: 'h2-running', machine_id: 'h2', name: 'busy', status: 'running', req_gpu_amount: 2, gpu_all_num: 8, gpu_idle_num: 0 })
    ] }]
  })
  t.teardown(() => simulator.close())
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({ api: { apiKeys }, providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }] }, { registry, alertRules: ALERT_RULES, env: {} })
  const captured = captureLog()
  const host = await buildHost(config, { registry, log: captured.log, secrets: captured.secrets, store: memoryStateStore(), version: 't', followIntervalMs: 20 })
  t.teardown(() => host.stop())
  const mine = new FakeProvider()
  mine.next = { instances: [fakeInstance('mine-1')] }
  await host.aggregator.add({ id: 'tg-42', type: 'autodl', provider: mine, log: captured.log })
  await host.aggregator.refresh()
  const call = (method: 'GET' | 'POST', url: string, key?: string, payload?: object, headers: Record<string, string> = {}) =>
    host.api.inject({ method, url, headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) }, ...(payload ? { payload } : {}) })
  return { host, simulator, call, captured }
}

t.test('the page: served without a key, with strict security headers, pre-compressed and cached by content hash', async t => {
  const { call } = await setup(t)
  const page = await call('GET', '/')
  t.equal(page.statusCode, 200, 'no key needed to load the page (it asks for one)')
  t.match(page.headers['content-type'], 'text/html')
  t.equal(page.headers['cache-control'], 'no-cache')
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, "script-src 'self'")
  t.match(csp, "frame-ancestors 'none'")
  t.notMatch(csp, 'unsafe-inline', 'no inline script or style allowed')
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.equal(page.headers['referrer-policy'], 'no-referrer')
  t.notMatch(page.body, /<script>|<script [^>]*>[^<]+<\/script>/, 'no inline script in the HTML')
  const script = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(page.body)?.[1]
  t.ok(script, 'the HTML names the hashed bundle')
  const js = await call('GET', script!, undefined, undefined, { 'accept-encoding': 'br, gzip' })
  t.equal(js.statusCode, 200)
  t.equal(js.headers['content-encoding'], 'br', 'brotli as built, nothing compressed per request')
  t.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal((await call('GET', '/assets/../../package.json')).statusCode, 401, 'outside the page: an unknown route, not revealed without a key')
  t.equal((await call('GET', '/assets/../../package.json', READER)).statusCode, 404)
  t.equal((await call('GET', '/assets/nope.js', READER)).statusCode, 404)
  t.equal((await call('GET', '/api/v1/instances')).statusCode, 401, 'the API itself still needs the key')
  const api = await call('GET', '/api/v1/instances', READER)
  t.equal(api.headers['content-security-policy'], undefined, 'API answers skip the page\'s headers (no per-request cost)')
})

t.test('/api/v1/me: who the key is and whether it may act', async t => {
  const { call } = await setup(t)
  const unknown = { authenticated: false, keyRequired: true, name: null, anonymous: false, scopes: [], control: false }
  t.same((await call('GET', '/api/v1/me')).json(), unknown, 'no key: 200, so a page asks for one without provoking a 401')
  t.same((await call('GET', '/api/v1/me', 'not-a-key-0123456789')).json(), unknown)
  t.same((await call('GET', '/api/v1/me', OPS)).json(), { authenticated: true, keyRequired: true, name: 'ops', anonymous: false, scopes: ['read', 'control'], control: true })
  t.same((await call('GET', '/api/v1/me', READER)).json(), { authenticated: true, keyRequired: true, name: 'grafana', anonymous: false, scopes: ['read'], control: false })
  const open = await setup(t, [])
  t.same((await open.call('GET', '/api/v1/me')).json(), { authenticated: true, keyRequired: false, name: 'anonymous', anonymous: true, scopes: ['read'], control: false })
})

t.test('confirmations: the bot\'s words, single use, for exactly one action', async t => {
  const { call, simulator, host } = await setup(t)
  const url = '/api/v1/instances/lab/h1-stopped'
  t.equal((await call('POST', `${url}/confirmations`, READER, { action: 'power-on' })).statusCode, 403, 'a read key cannot ask')
  const en = await call('POST', `${url}/confirmations`, OPS, { action: 'power-on', mode: 'gpu', lang: 'en' })
  t.equal(en.statusCode, 201)
  t.match(en.json(), { action: 'power-on', mode: 'gpu', token: /^[\w-]{20,}$/, text: /Power on .*trainer with GPU: 1× RTX 4090, billed at ¥1\.88\/h/ })
  const zh = await call('POST', `${url}/confirmations`, OPS, { action: 'power-off', lang: 'zh' })
  t.equal(zh.statusCode, 409, 'a stopped instance cannot be powered off: the action\'s own checks')
  t.match(zh.json().message, 'already stopped')
  const zhOn = await call('POST', `${url}/confirmations`, OPS, { action: 'power-on', mode: 'no_gpu', lang: 'zh' })
  t.match(zhOn.json().text, /无卡/)

  const wrong = await call('POST', `${url}/power-on`, OPS, { mode: 'no_gpu', confirmation: en.json().token })
  t.equal(wrong.statusCode, 409, 'a token for GPU mode does not confirm no-GPU mode')
  t.match(wrong.json().message, 'this confirmation is for power-on (gpu) of lab/h1-stopped')
  const ok = await call('POST', `${url}/power-on`, OPS, { mode: 'gpu', confirmation: en.json().token })
  t.equal(ok.statusCode, 202)
  await host.actions.settled(ok.json().id)
  const again = await call('POST', `${url}/power-on`, OPS, { mode: 'gpu', confirmation: en.json().token })
  t.equal(again.statusCode, 409)
  t.match(again.json().message, 'used already')
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], 1, 'the replay reached no provider')
  t.equal((await call('POST', `${url}/power-off`, OPS, { confirmation: 'made-up-token-0123456789' })).statusCode, 409)
  t.equal((await call('POST', `${url}/confirmations`, OPS, { action: 'reboot' })).statusCode, 400)
  t.equal((await call('POST', '/api/v1/instances/tg-42/mine-1/confirmations', OPS, { action: 'power-off' })).statusCode, 404, 'a chat user\'s account stays invisible')
})

t.test('badges: shields-style SVG of an instance and of an entry; same access rules', async t => {
  const { call } = await setup(t)
  t.equal((await call('GET', '/api/v1/badges/lab.svg')).statusCode, 401)
  const entry = await call('GET', '/api/v1/badges/lab.svg', READER)
  t.equal(entry.statusCode, 200)
  t.match(entry.headers['content-type'], 'image/svg+xml')
  t.equal(entry.headers['cache-control'], 'private, max-age=60')
  t.match(entry.body, /^<svg [^>]*aria-label="lab: ok · 2 instances"/)
  const instance = await call('GET', '/api/v1/badges/lab/h1-stopped.svg', READER)
  t.match(instance.body, 'aria-label="trainer: stopped · 3/8 GPUs idle"')
  t.notMatch(instance.body, /<script/i)
  t.equal((await call('GET', '/api/v1/badges/lab/nope.svg', READER)).statusCode, 404)
  t.equal((await call('GET', '/api/v1/badges/lab/h1-stopped', READER)).statusCode, 404, 'the name ends in .svg')
  t.equal((await call('GET', '/api/v1/badges/tg-42.svg', READER)).statusCode, 404, 'a chat user\'s account stays invisible')
  const open = await setup(t, [])
  t.equal((await open.call('GET', '/api/v1/badges/lab.svg')).headers['cache-control'], 'public, max-age=60')
})

t.test('the page folder missing: / says how to build it, the API is untouched', async t => {
  const { buildApi } = await import('../../src/api/index.js')
  const { Aggregator } = await import('../../src/core/aggregator.js')
  const captured = captureLog()
  const dir = await mkdtemp(join(tmpdir(), 'cw-nopage-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const aggregator = new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 30_000, log: captured.log, secrets: captured.secrets })
  const app = await buildApi({ aggregator, apiKeys: [], log: captured.log, version: 't', pageFolder: dir })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/' })
  t.equal(res.statusCode, 503)
  t.match(res.body, 'npm run build')
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/instances' })).statusCode, 200)
})
