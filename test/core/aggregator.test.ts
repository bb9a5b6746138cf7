import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { mock } from 'node:test'
import t, { type Test } from 'tap'
import { Aggregator } from '../../src/core/aggregator.js'
import { ProviderAuthError } from '../../src/core/errors.js'
import { instanceSchema } from '../../src/core/instance.js'
import { capabilitiesSchema, providerStatusSchema } from '../../src/core/snapshot.js'
import { captureLog } from '../helpers/log.js'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'

function make (options: { pollIntervalMs?: number; pollTimeoutMs?: number } = {}) {
  const captured = captureLog()
  const aggregator = new Aggregator({
    pollIntervalMs: options.pollIntervalMs ?? 60_000,
    pollTimeoutMs: options.pollTimeoutMs ?? 2000,
    log: captured.log,
    secrets: captured.secrets
  })
  const add = async (id: string, provider = new FakeProvider()) => {
    await aggregator.add({ id, type: 'fake', provider, log: captured.log.child({ provider: id }) })
    return provider
  }
  return { aggregator, add, captured }
}

const ajv = new Ajv({ strict: false })
addFormatsModule.default(ajv)
ajv.addSchema(capabilitiesSchema)
const validStatus = ajv.compile(providerStatusSchema)
const validInstance = ajv.compile(instanceSchema)

t.test('before the first poll an entry is listed as not polled yet', async t => {
  const { aggregator, add } = make()
  await add('a')
  const [status] = aggregator.snapshot.providers
  t.match(status, { id: 'a', ok: false, lastSuccessAt: null, durationMs: null, instanceCount: 0, error: { code: 'CW_ERR_NOT_POLLED_YET' } })
  t.ok(validStatus(status), 'matches the ProviderStatus schema')
})

t.test('a poll stamps provider, type and stale onto every instance', async t => {
  const { aggregator, add } = make()
  const p = await add('a')
  p.next = { instances: [fakeInstance('i1'), fakeInstance('i2')] }
  await aggregator.refresh()
  t.same(aggregator.snapshot.instances.map(i => [i.provider, i.providerType, i.id, i.stale]), [['a', 'fake', 'i1', false], ['a', 'fake', 'i2', false]])
  t.ok(aggregator.snapshot.instances.every(i => validInstance(i)), 'every instance matches the Instance schema')
  t.match(aggregator.snapshot.providers[0], { ok: true, error: null, instanceCount: 2 })
  t.ok(validStatus(aggregator.snapshot.providers[0]))
  t.equal(p.authentications, 1, 'authenticate() before the first poll')
})

t.test('a failing provider keeps its last good instances, marked stale, and recovers', async t => {
  const { aggregator, add } = make()
  const p = await add('a')
  p.next = { instances: [fakeInstance('i1')] }
  await aggregator.refresh()
  const lastSuccessAt = aggregator.snapshot.providers[0]!.lastSuccessAt
  p.next = { error: new ProviderAuthError('AutoDL login failed: LoginFailed') }
  await aggregator.refresh()
  t.same(aggregator.snapshot.instances.map(i => [i.id, i.stale]), [['i1', true]])
  t.match(aggregator.snapshot.providers[0], { ok: false, lastSuccessAt, error: { code: 'CW_ERR_PROVIDER_AUTH', message: 'AutoDL login failed: LoginFailed' } })
  t.type(aggregator.snapshot.providers[0]!.lastErrorAt, 'string')
  t.equal(p.authentications, 1)
  p.next = { instances: [fakeInstance('i1'), fakeInstance('i3')] }
  await aggregator.refresh()
  t.same(aggregator.snapshot.instances.map(i => [i.id, i.stale]), [['i1', false], ['i3', false]])
  t.equal(p.authentications, 2, 'authenticate() again after a failed poll')
})

t.test('a provider that hangs and ignores the abort neither blocks nor delays another', async t => {
  const { aggregator, add } = make({ pollTimeoutMs: 300 })
  const slow = await add('slow')
  const fast = await add('fast')
  slow.next = { hang: 'ignore-abort' }
  fast.next = { instances: [fakeInstance('f1')] }
  const slowDone = aggregator.refresh('slow')
  await aggregator.refresh('fast')
  t.same(aggregator.snapshot.instances.map(i => i.id), ['f1'], 'the fast entry is in the view while the slow one still hangs')
  t.match(aggregator.snapshot.providers.find(p => p.id === 'slow'), { error: { code: 'CW_ERR_NOT_POLLED_YET' } })
  await slowDone
  t.match(aggregator.snapshot.providers.find(p => p.id === 'slow'), { ok: false, error: { code: 'CW_ERR_PROVIDER_TIMEOUT' } })
  t.match(aggregator.snapshot.providers.find(p => p.id === 'slow')?.error?.message, /longer than 0 s|longer than \d+ s/)
  t.match(aggregator.snapshot.providers.find(p => p.id === 'fast'), { ok: true })
})

t.test('a non-Host error becomes CW_ERR_INTERNAL; secrets are scrubbed from error messages', async t => {
  const { aggregator, add, captured } = make()
  captured.secrets.add('tok-SECRET-123456')
  const p = await add('a')
  p.next = { error: new TypeError('cannot read x of undefined near tok-SECRET-123456') }
  await aggregator.refresh()
  t.same(aggregator.snapshot.providers[0]?.error, { code: 'CW_ERR_INTERNAL', message: 'cannot read x of undefined near [redacted]' })
  t.notOk(captured.lines.join('\n').includes('tok-SECRET-123456'))
})

t.test('refresh() joins a poll in flight instead of starting another', async t => {
  const { aggregator, add } = make()
  const p = await add('a')
  await Promise.all([aggregator.refresh('a'), aggregator.refresh('a'), aggregator.refresh()])
  t.equal(p.calls, 1)
  await t.rejects(aggregator.refresh('nope'), { code: 'CW_ERR_NOT_FOUND' })
})

/** The aggregator's timers under node:test's mock clock: `tick(ms)` runs what is due, then lets the polls settle. */
function mockClock (t: Test): { tick: (ms: number) => Promise<void> } {
  mock.timers.enable({ apis: ['setTimeout'] })
  t.teardown(() => mock.timers.reset())
  return {
    tick: async (ms) => {
      mock.timers.tick(ms)
      for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve))
    }
  }
}

t.test('start() polls every entry at once and then on the interval', async t => {
  const clock = mockClock(t)
  const { aggregator, add } = make({ pollIntervalMs: 100 })
  const a = await add('a')
  const b = await add('b')
  aggregator.start()
  await clock.tick(0)
  t.same([a.calls, b.calls], [1, 1], 'every entry at once')
  // The next start is 100 ms after this one's start (less the poll's own real duration, a few ms at most).
  await clock.tick(50)
  t.same([a.calls, b.calls], [1, 1], 'not before the interval')
  await clock.tick(50)
  t.same([a.calls, b.calls], [2, 2], 'again after 100 ms')
  await clock.tick(100)
  t.same([a.calls, b.calls], [3, 3])
  await aggregator.stop()
  await clock.tick(1000)
  t.same([a.calls, b.calls], [3, 3], 'no poll after stop()')
  t.ok(a.closed && b.closed, 'providers closed')
})

t.test('an entry with its own interval is polled on it; the others on the default', async t => {
  const clock = mockClock(t)
  const { aggregator, add, captured } = make({ pollIntervalMs: 100 })
  const a = await add('a')
  const slow = new FakeProvider()
  await aggregator.add({ id: 'slow', type: 'fake', provider: slow, log: captured.log, pollIntervalMs: 300 })
  aggregator.start()
  await clock.tick(0)
  for (let i = 0; i < 6; i++) await clock.tick(100)
  t.same([a.calls, slow.calls], [7, 3], '600 ms: every 100 ms, and every 300 ms')
  await aggregator.stop()
})

t.test('a list call gets a deadline at 80% of the poll budget, and an instance the provider marks stale stays stale', async t => {
  const { aggregator, add } = make({ pollTimeoutMs: 10_000 })
  const provider = await add('a')
  provider.next = { instances: [fakeInstance('fresh'), { ...fakeInstance('old'), stale: true }] }
  const before = Date.now()
  await aggregator.refresh()
  const deadline = provider.lastOptions.deadline!
  t.ok(deadline >= before + 8000 && deadline <= Date.now() + 8000, 'now + 8 s')
  t.same(aggregator.snapshot.instances.map(i => [i.id, i.stale]), [['fresh', false], ['old', true]])
  t.equal(aggregator.snapshot.providers[0]?.ok, true, 'the entry itself is fine')
})

t.test('stop() aborts a poll in flight, without calling it a provider failure', async t => {
  const clock = mockClock(t)
  const { aggregator, add, captured } = make({ pollTimeoutMs: 60_000 })
  const p = await add('a')
  p.next = { instances: [fakeInstance('i1')] }
  await aggregator.refresh()
  p.next = { hang: 'respect-abort' }
  aggregator.start()
  await clock.tick(0)
  t.equal(p.calls, 2)
  let published = 0
  aggregator.on('snapshot', () => { published++ })
  await aggregator.stop() // the 60 s budget never elapses on the mock clock: this returns because the poll was aborted
  t.equal(p.lastOptions.signal?.aborted, true, 'the poll in flight was aborted')
  t.match(aggregator.snapshot.providers[0], { ok: true, error: null }, 'the entry keeps its last good poll')
  t.same(aggregator.snapshot.instances.map(i => [i.id, i.stale]), [['i1', false]], 'its instances are not marked stale')
  t.equal(published, 0, 'no snapshot published for the aborted poll')
  const lines = captured.entries().filter(e => String(e.msg).startsWith('poll '))
  t.notOk(lines.some(e => (e.level as number) >= 40), 'nothing logged at warn or above')
  t.ok(lines.some(e => e.msg === 'poll stopped: the host is stopping'), 'a debug line says why the poll ended')
})

t.test('add() replaces an entry with the same id; remove() drops it from the view', async t => {
  const { aggregator, add } = make()
  const first = await add('a')
  first.next = { instances: [fakeInstance('old')] }
  await aggregator.refresh()
  const second = await add('a')
  second.next = { instances: [fakeInstance('new')] }
  t.ok(first.closed, 'the replaced provider is closed')
  await aggregator.refresh()
  t.same(aggregator.snapshot.instances.map(i => i.id), ['new'])
  await aggregator.remove('a')
  t.same(aggregator.snapshot.instances, [])
  t.same(aggregator.snapshot.providers, [])
})

t.test('an owned entry is visible to its owner alone', async t => {
  const { aggregator, add } = make()
  const shared = await add('lab')
  const own = await add('tg-42')
  shared.next = { instances: [fakeInstance('s1')] }
  own.next = { instances: [fakeInstance('o1')] }
  await aggregator.refresh()
  t.same(aggregator.view({}).instances.map(i => i.id), ['s1'], 'the API sees no owned entry')
  t.same(aggregator.view({ telegramUserId: 7 }).providers.map(p => p.id), ['lab'])
  t.same(aggregator.view({ telegramUserId: 42 }).instances.map(i => i.id), ['s1', 'o1'])
})
