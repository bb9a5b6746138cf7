import { createConfig, lintFromString } from '@redocly/openapi-core'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { StopTimers } from '../../src/actions/timers.js'
import { MarketWatch } from '../../src/money/market.js'
import { AvailabilityHistory } from '../../src/money/history.js'
import { ActionService } from '../../src/actions/service.js'
import { ConfirmationStore } from '../../src/actions/confirmations.js'
import { MuteList } from '../../src/alerts/mutes.js'
import { buildApi } from '../../src/api/index.js'
import { AuditLog } from '../../src/audit/log.js'
import type { ApiKeyConfig } from '../../src/config/schema.js'
import { Aggregator } from '../../src/core/aggregator.js'
import { memoryStateStore } from '../../src/core/store.js'
import { createTranslator } from '../../src/present/i18n.js'
import { captureLog } from '../helpers/log.js'

const READ = 'read-key-0123456789abcdef'
const KEYS: ApiKeyConfig[] = [{ name: 'ops', key: 'ops-key-0123456789abcdef', scopes: ['read', 'control'] }, { name: 'grafana', key: READ, scopes: ['read'] }]
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

interface Operation { operationId?: string; security?: Array<Record<string, string[]>>; responses: Record<string, unknown>; tags?: string[] }
type Document = { openapi: string; servers?: unknown[]; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { description?: string }> } }

/** The API with control, as the host builds it; the routes it registers are collected. */
async function api (t: Test, apiKeys: ApiKeyConfig[] = KEYS): Promise<{ app: FastifyInstance; doc: Document; routes: string[] }> {
  const captured = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 5000, log: captured.log, secrets: captured.secrets })
  const store = memoryStateStore()
  const audit = new AuditLog(store.namespace('audit'))
  const actions = new ActionService({ aggregator, audit, store: store.namespace('actions'), log: captured.log, timeoutMs: 1000 })
  const market = new MarketWatch({ aggregator, store: store.namespace('market'), watches: [], intervalMs: 60_000, log: captured.log })
  const history = new AvailabilityHistory({ aggregator, store: store.namespace('history'), maxGapSeconds: 600, timeZone: null, log: captured.log })
  const app = await buildApi({
    aggregator, apiKeys, log: captured.log, version: '1.2.3', market, history,
    control: { actions, timers: new StopTimers({ actions, aggregator, audit, store: store.namespace('timers'), log: captured.log, warningMs: 600_000 }), audit, mutes: new MuteList(store.namespace('alerts')), confirmations: new ConfirmationStore(store.namespace('confirmations')), translators: { zh: await createTranslator('zh'), en: await createTranslator('en') } }
  })
  const routes: string[] = []
  await app.ready()
  t.teardown(() => app.close())
  // Fastify prints its routes as a tree: each line adds its segment to its parent's path.
  const parents: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)[└├]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!m) continue
    const depth = m[1]!.length / 4
    const path = (parents[depth - 1] ?? '') + m[2]!
    parents[depth] = path
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push(`${method.toLowerCase()} ${path}`)
  }
  return { app, doc: app.swagger() as unknown as Document, routes }
}

const operations = (doc: Document): Array<{ key: string; op: Operation }> =>
  Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter(m => item[m]).map(m => ({ key: `${m} ${path}`, op: item[m]! })))

t.test('Redocly\'s linter (recommended-strict and more) finds 0 errors and 0 warnings', async t => {
  const { doc } = await api(t)
  const config = await createConfig({
    extends: ['recommended-strict'],
    rules: {
      'tag-description': 'error', 'operation-tag-defined': 'error', 'no-unused-components': 'error', 'component-name-unique': 'error',
      'operation-summary': 'error', 'operation-parameters-unique': 'error', 'paths-kebab-case': 'error', 'security-defined': 'error'
    }
  })
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config })
  t.same(problems.map(p => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`), [])
  t.equal(doc.openapi, '3.1.0')
  t.same(doc.servers, [{ url: '/', description: 'The host that serves this document.' }])
})

t.test('component schemas have names, not def-N', async t => {
  const { doc } = await api(t)
  const names = Object.keys(doc.components.schemas)
  for (const name of ['Instance', 'InstanceList', 'ProviderStatus', 'ProviderCapabilities', 'Action', 'Confirmation', 'Mute', 'AuditEntry', 'Error']) t.ok(names.includes(name), name)
  t.notOk(names.some(n => /^def-\d+$/.test(n)))
})

t.test('every route is documented once, with a unique operationId and the scope it needs', async t => {
  const { doc, routes } = await api(t)
  const documented = operations(doc).map(o => o.key.replace(/\{(\w+)\}/g, ':$1'))
  const served = routes.filter(r => r.includes('/api/v1/') || r.endsWith('/healthz') || r.endsWith('/metrics'))
    .filter(r => !r.endsWith('/openapi.json') && !r.includes('*'))
  t.ok(served.length >= 17, `${served.length} routes`)
  t.same([...documented].sort(), [...served].sort(), 'the document lists exactly the routes served')
  const ids = operations(doc).map(o => o.op.operationId)
  t.equal(new Set(ids).size, ids.length)
  t.ok(ids.every(id => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)))
  const security = Object.fromEntries(operations(doc).map(o => [o.key, o.op.security]))
  t.same(security['get /healthz'], [], '/healthz needs no key')
  t.same(security['get /metrics'], [{ apiKey: ['read'] }])
  t.same(security['get /api/v1/instances'], [{ apiKey: ['read'] }])
  t.same(security['post /api/v1/instances/{provider}/{id}/power-on'], [{ apiKey: ['control'] }])
  t.same(security['post /api/v1/mutes'], [{ apiKey: ['control'] }])
  t.same(security['get /api/v1/me'], [{}, { apiKey: ['read'] }], '/api/v1/me answers without a key too')
  const scheme = doc.components.securitySchemes['apiKey']!.description!
  t.match(scheme, /`read` — /)
  t.match(scheme, /`control` — /)
})

t.test('every error a route can answer is documented, and happens as documented', async t => {
  const { app, doc } = await api(t)
  const responses = Object.fromEntries(operations(doc).map(o => [o.key, Object.keys(o.op.responses)]))
  t.same(responses['get /healthz'], ['200', '400', '500'])
  t.same(responses['get /metrics'], ['200', '400', '401', '403', '500'])
  t.ok(responses['get /api/v1/events']!.includes('503'), 'too many streams')
  for (const [key, codes] of Object.entries(responses)) if (key !== 'get /healthz' && key !== 'get /api/v1/me') t.ok(codes.includes('401') && codes.includes('403'), `${key}: 401 and 403`)
  // They happen: an unknown parameter, a missing key, a key without the scope.
  const unknown = await app.inject({ url: '/healthz?verbose=1' })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json(), { code: 'CW_ERR_VALIDATION', message: /verbose/ })
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200)
  t.equal((await app.inject({ url: '/metrics' })).statusCode, 401)
  t.equal((await app.inject({ url: '/metrics', query: { format: 'x' }, headers: { authorization: `Bearer ${READ}` } })).statusCode, 400)
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/mutes', headers: { authorization: `Bearer ${READ}` }, payload: { target: 'x', duration: '1h' } })).statusCode, 403)
})

t.test('without keys, reads are documented as open and control as refused', async t => {
  const { doc } = await api(t, [])
  const byKey = Object.fromEntries(operations(doc).map(o => [o.key, o.op]))
  t.same(byKey['get /api/v1/instances']!.security, [])
  t.notOk('401' in byKey['get /api/v1/instances']!.responses)
  t.same(byKey['post /api/v1/instances/{provider}/{id}/power-off']!.security, [{ apiKey: ['control'] }])
  t.ok('403' in byKey['post /api/v1/instances/{provider}/{id}/power-off']!.responses)
})
