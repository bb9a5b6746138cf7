import t, { type Test } from 'tap'
import { ActionService } from '../../src/actions/service.js'
import { AlertEngine } from '../../src/alerts/engine.js'
import { MuteList } from '../../src/alerts/mutes.js'
import { defineRule } from '../../src/alerts/rule.js'
import { releaseRule } from '../../src/alerts/rules/ladders.js'
import { WatchList } from '../../src/alerts/watches.js'
import { AuditLog } from '../../src/audit/log.js'
import type { AlertsConfig } from '../../src/config/schema.js'
import { Aggregator } from '../../src/core/aggregator.js'
import { SecretRegistry } from '../../src/core/secrets.js'
import { memoryStateStore } from '../../src/core/store.js'
import { createTranslator } from '../../src/present/i18n.js'
import type { Alert } from '../../src/notify/alert.js'
import type { AlertRuleDefinition } from '../../src/alerts/rule.js'
import { captureLog } from '../helpers/log.js'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'

const NOW = new Date('2026-11-21T12:00:00Z')

async function world (t: Test, rules: readonly AlertRuleDefinition[], store = memoryStateStore()) {
  const { log } = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 3600_000, pollTimeoutMs: 5000, log, secrets: new SecretRegistry(), now: () => NOW })
  const providers = { a: new FakeProvider(), b: new FakeProvider() }
  for (const [id, provider] of Object.entries(providers)) await aggregator.add({ id, type: 'fake', provider, log })
  const audit = new AuditLog(store.namespace('audit'))
  const actions = new ActionService({ aggregator, audit, store: store.namespace('actions'), log, timeoutMs: 1000 })
  const alerts: Alert[] = []
  const engine = new AlertEngine({
    aggregator, actions, watches: new WatchList(store.namespace('alerts')), mutes: new MuteList(store.namespace('alerts')), store: store.namespace('alerts'),
    config: { releaseLadderHours: [72, 24, 6] } as unknown as AlertsConfig, keepAlive: new Map(), send: a => alerts.push(...a),
    translators: { zh: await createTranslator('zh'), en: await createTranslator('en') }, timeZone: null, log, now: () => NOW, rules
  })
  t.teardown(async () => { await engine.stop(); await aggregator.stop() })
  return { aggregator, providers, engine, alerts, store }
}

t.test('a poll of one entry evaluates that entry\'s instances only; the rules over statuses run once per evaluation', async t => {
  const seen: Array<{ entry: string; instances: string[] }> = []
  let global = 0
  const recorder = defineRule({
    name: 'recorder', events: ['recorder.seen'], state: [],
    evaluate () { global++ },
    evaluateEntry (ctx) { seen.push({ entry: ctx.entry.id, instances: ctx.instances.map(i => i.id) }) }
  })
  const w = await world(t, [recorder])
  w.providers.a.next = { instances: [fakeInstance('a1'), fakeInstance('a2')] }
  w.providers.b.next = { instances: [fakeInstance('b1')] }
  w.engine.start()
  await w.aggregator.refresh('a')
  await w.engine.evaluate([])
  t.same(seen, [{ entry: 'a', instances: ['a1', 'a2'] }], 'only a, with its own instances')
  t.equal(global, 1)

  w.providers.b.next = { error: new Error('down') }
  seen.length = 0
  await w.aggregator.refresh('b')
  await w.engine.evaluate([])
  t.same(seen, [], 'a failing entry is not evaluated (its data is stale)')
  t.equal(global, 2, 'but the rules over statuses see its failure')

  w.providers.b.next = { instances: [fakeInstance('b1')] }
  seen.length = 0
  await w.engine.evaluate()
  t.same(seen.map(s => s.entry), ['a'], 'a full evaluation covers every entry with good data; b waits for its next poll')
  seen.length = 0
  await w.aggregator.refresh()
  await w.engine.evaluate([])
  t.same(seen.map(s => s.entry).sort(), ['a', 'b'], 'each entry evaluated once after its own poll')
  t.same(seen.find(s => s.entry === 'b')?.instances, ['b1'])
})

t.test('polls finishing during an evaluation are evaluated together in the next one', async t => {
  const batches: string[][] = []
  let current: string[] = []
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  const slow = defineRule({
    name: 'slow', events: ['slow.seen'], state: [],
    async evaluate () { current = []; batches.push(current); if (batches.length === 1) await gate },
    evaluateEntry (ctx) { current.push(ctx.entry.id) }
  })
  const w = await world(t, [slow])
  w.providers.a.next = { instances: [fakeInstance('a1')] }
  w.providers.b.next = { instances: [fakeInstance('b1')] }
  w.engine.start()
  const first = w.engine.evaluate(['a'])
  await w.aggregator.refresh('a')
  await w.aggregator.refresh('b')
  release()
  await first
  t.same(batches, [['a'], ['a', 'b']], 'one more evaluation covers both polls that finished meanwhile')
})

t.test('a state stored before per-entry parts is split into them once, and nothing fires twice', async t => {
  const store = memoryStateStore()
  const releaseAt = new Date(NOW.getTime() + 20 * 3600_000).toISOString()
  await store.namespace('alerts').set('state', {
    providers: { a: { lastErrorAt: null, failures: 0, alerted: false } },
    fired: { [`release:a/a1@${releaseAt}:24`]: NOW.toISOString(), [`release:a/a1@${releaseAt}:72`]: NOW.toISOString() },
    presence: { 'a/a9': { kind: 'offline', since: NOW.toISOString(), alerted: true } },
    keepAlive: { 'b/b1': NOW.toISOString() }
  })
  const w = await world(t, [releaseRule], store)
  w.providers.a.next = { instances: [fakeInstance('a1', { releaseAt }), fakeInstance('a2', { releaseAt })] }
  await w.aggregator.refresh()
  await w.engine.evaluate()
  t.same(w.alerts.map(a => a.instance?.id), ['a2'], 'a1\'s 24 h point was sent before the split: only a2 fires')
  const alerts = store.namespace('alerts')
  t.same(Object.keys(await alerts.get<object>('state') ?? {}), [], 'the part across entries keeps only what its rules own (the release rule owns none of it)')
  const a = await alerts.get<{ fired: Record<string, string>; presence: object }>('state:a')
  t.ok(a?.fired[`release:a1@${releaseAt}:24`], 'a\'s ladder points, keyed by instance id')
  t.ok(a?.fired[`release:a2@${releaseAt}:24`])
  t.same(a?.presence, { a9: { kind: 'offline', since: NOW.toISOString(), alerted: true } })
  t.same((await alerts.get<{ keepAlive: object }>('state:b'))?.keepAlive, { b1: NOW.toISOString() })
})
