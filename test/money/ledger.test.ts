import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { Aggregator } from '../../src/core/aggregator.js'
import { SecretRegistry } from '../../src/core/secrets.js'
import { storeFileIo } from '../../src/core/file-store.js'
import { memoryStateStore, openStateStore, type StateStore } from '../../src/core/store.js'
import { CostLedger, LEDGER_DAYS } from '../../src/money/ledger.js'
import { captureLog } from '../helpers/log.js'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'

const MINUTE = 60_000
const ZONE = 'Asia/Shanghai'

/** A ledger over one fake entry `lab`, with a clock the test moves, on `store` (a restart: a new world on the same store). */
async function world (t: Test, start: string, store: StateStore = memoryStateStore()) {
  const clock = { now: Date.parse(start) }
  const { log } = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 3600_000, pollTimeoutMs: 5000, log, secrets: new SecretRegistry(), now: () => new Date(clock.now) })
  const provider = new FakeProvider()
  await aggregator.add({ id: 'lab', type: 'fake', provider, log })
  const added: number[] = []
  const ledger = new CostLedger({
    aggregator, store: store.namespace('ledger'), timeZone: ZONE, maxGapMs: 30 * MINUTE, log, now: () => new Date(clock.now),
    telemetry: { poll () {}, login () {}, alert () {}, webhookDelivery () {}, action () {}, cost: (_entry, yuan) => { added.push(yuan) } }
  })
  t.teardown(async () => { await ledger.stop(); await aggregator.stop() })
  /** Poll with these instances (`running` at ¥`price`/h) `minutes` after the previous poll. */
  const poll = async (minutes: number, instances: Array<{ id: string; running: boolean; price: number | null }>): Promise<void> => {
    clock.now += minutes * MINUTE
    provider.next = { instances: instances.map(i => fakeInstance(i.id, { state: i.running ? 'running' : 'stopped', pricePerHour: i.price })) }
    await aggregator.refresh()
    await ledger.observe('lab')
  }
  return { ledger, poll, provider, aggregator, store, added, clock }
}

const total = async (ledger: CostLedger, from: string, to: string): Promise<number> =>
  (await ledger.report({ from, to }, 'provider'))[0]?.yuan ?? 0

t.test('running at both polls: the whole interval × price; at one of them: half; stopped or unpriced: nothing', async t => {
  const w = await world(t, '2026-11-21T02:00:00Z')
  await w.poll(0, [{ id: 'a', running: true, price: 6 }, { id: 'b', running: false, price: 6 }, { id: 'c', running: true, price: null }])
  await w.poll(10, [{ id: 'a', running: true, price: 6 }, { id: 'b', running: true, price: 6 }, { id: 'c', running: true, price: null }])
  t.same(await w.ledger.report({ from: '2026-11-21', to: '2026-11-21' }, 'instance'), [
    { provider: 'lab', instanceId: 'a', name: 'name-a', yuan: 1 },
    { provider: 'lab', instanceId: 'b', name: 'name-b', yuan: 0.5 }
  ], 'a: 10 min at ¥6/h = ¥1; b started in between: half; c has no price')
  await w.poll(10, [{ id: 'a', running: false, price: 6 }, { id: 'b', running: false, price: 6 }])
  t.equal(await total(w.ledger, '2026-11-21', '2026-11-21'), 2.5, '+¥0.5 each for the stops (half of 10 min at ¥6/h)')
  t.same(w.added.map(y => Math.round(y * 100) / 100), [1.5, 1], 'counted in computewatch_cost_yuan_total too')
})

t.test('a day is cut at midnight in the configured zone', async t => {
  const w = await world(t, '2026-11-21T15:50:00Z') // 23:50 in Shanghai
  await w.poll(0, [{ id: 'a', running: true, price: 12 }])
  await w.poll(20, [{ id: 'a', running: true, price: 12 }]) // 00:10 the next day
  t.same(await w.ledger.report({ from: '2026-11-21', to: '2026-11-22' }, 'day'), [
    { provider: '*', day: '2026-11-21', yuan: 2 },
    { provider: '*', day: '2026-11-22', yuan: 2 }
  ])
  t.equal(w.ledger.today(), '2026-11-22')
})

t.test('across a month end and a restart: the month report has this month only, and nothing is lost or counted twice', async t => {
  const store = memoryStateStore()
  const first = await world(t, '2026-11-30T15:30:00Z', store) // 23:30, 30 November in Shanghai
  await first.poll(0, [{ id: 'a', running: true, price: 6 }])
  await first.poll(20, [{ id: 'a', running: true, price: 6 }]) // 23:50: ¥2 in November
  await first.ledger.stop()
  const second = await world(t, '2026-11-30T15:50:00Z', store) // restarted at once, same store
  await second.poll(20, [{ id: 'a', running: true, price: 6 }]) // 00:10, 1 December: 10 min each side
  t.equal(await total(second.ledger, '2026-11-01', '2026-11-30'), 3, 'November: ¥2 + ¥1')
  t.equal(second.ledger.monthStart(), '2026-12-01')
  t.equal(await total(second.ledger, second.ledger.monthStart(), second.ledger.today()), 1, 'December so far: ¥1')
  await second.poll(10, [{ id: 'a', running: true, price: 6 }])
  t.equal(await total(second.ledger, '2026-11-01', '2026-12-31'), 5, 'every minute counted once')
})

t.test('a silence longer than maxGapMs counts only maxGapMs; a failing poll books nothing', async t => {
  const w = await world(t, '2026-11-21T02:00:00Z')
  await w.poll(0, [{ id: 'a', running: true, price: 6 }])
  await w.poll(120, [{ id: 'a', running: true, price: 6 }])
  t.equal(await total(w.ledger, '2026-11-21', '2026-11-21'), 3, '2 h unseen: 30 min counted')
  w.provider.next = { error: new Error('down') }
  w.clock.now += 10 * MINUTE
  await w.aggregator.refresh()
  await w.ledger.observe('lab')
  t.equal(await total(w.ledger, '2026-11-21', '2026-11-21'), 3, 'nothing for a failed poll')
  await w.poll(10, [{ id: 'a', running: true, price: 6 }])
  t.equal(await total(w.ledger, '2026-11-21', '2026-11-21'), 5, 'the next good poll books the 20 min since the last good one')
})

t.test(`days older than ${LEDGER_DAYS} are dropped`, async t => {
  const w = await world(t, '2026-01-01T02:00:00Z')
  await w.poll(0, [{ id: 'a', running: true, price: 6 }])
  await w.poll(10, [{ id: 'a', running: true, price: 6 }])
  t.equal(await total(w.ledger, '2026-01-01', '2026-01-01'), 1)
  w.clock.now += LEDGER_DAYS * 24 * 60 * MINUTE
  await w.poll(10, [{ id: 'a', running: true, price: 6 }])
  t.equal(await total(w.ledger, '2026-01-01', '2026-01-01'), 0, 'gone')
})

t.test('an idle entry (nothing priced running, the same instances) writes nothing', async t => {
  const w = await world(t, '2026-11-21T02:00:00Z')
  const keyv = w.store.namespace('ledger')
  await w.poll(0, [{ id: 'a', running: false, price: 6 }, { id: 'srv', running: true, price: null }])
  const first = JSON.stringify(await keyv.get('entry:lab'))
  t.match(first, '"at":1795226400000', 'the first poll keeps the instances seen')
  for (let i = 0; i < 3; i++) await w.poll(1, [{ id: 'a', running: false, price: 6 }, { id: 'srv', running: true, price: null }])
  t.equal(JSON.stringify(await keyv.get('entry:lab')), first, 'three idle polls: the stored part is untouched')
  await w.poll(1, [{ id: 'a', running: true, price: 6 }, { id: 'srv', running: true, price: null }])
  t.equal(await total(w.ledger, '2026-11-21', '2026-11-21'), 0.05, 'a start: half of the minute at ¥6/h')
  t.not(JSON.stringify(await keyv.get('entry:lab')), first, 'and stored')
})

t.test('entries whose polls end together share file writes; each entry\'s part is kept', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-ledger-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const { log } = captureLog()
  const store = await openStateStore(`file:${join(dir, 'state.json')}`, { baseDir: '/', log })
  const original = storeFileIo.write
  let writes = 0
  storeFileIo.write = async (path, content) => { writes++; await original(path, content) }
  t.teardown(() => { storeFileIo.write = original })
  const clock = { now: Date.parse('2026-11-21T02:00:00Z') }
  const aggregator = new Aggregator({ pollIntervalMs: 3600_000, pollTimeoutMs: 5000, log, secrets: new SecretRegistry(), now: () => new Date(clock.now) })
  const ENTRIES = 40
  for (let e = 0; e < ENTRIES; e++) {
    const provider = new FakeProvider()
    provider.next = { instances: [fakeInstance(`gpu-${e}`, { state: 'running', pricePerHour: 6 })] }
    await aggregator.add({ id: `acct${e}`, type: 'fake', provider, log })
  }
  const ledger = new CostLedger({ aggregator, store: store.namespace('ledger'), timeZone: ZONE, maxGapMs: 30 * MINUTE, log, now: () => new Date(clock.now) })
  ledger.start()
  await aggregator.refresh()
  await ledger.settled()
  writes = 0
  clock.now += 10 * MINUTE
  await aggregator.refresh() // every entry's poll ends at once, and each books ¥1
  await ledger.settled()
  t.ok(writes >= 1 && writes <= ENTRIES / 4, `${ENTRIES} entries' bookings took ${writes} file writes, not one each`)
  await ledger.stop()
  await aggregator.stop()
  await store.close()
  // What was acknowledged is in the file: a restart reads every entry's booking back.
  const reopened = await openStateStore(`file:${join(dir, 'state.json')}`, { baseDir: '/', log })
  const again = new CostLedger({ aggregator, store: reopened.namespace('ledger'), timeZone: ZONE, maxGapMs: 30 * MINUTE, log })
  const rows = await again.report({ from: '2026-11-21', to: '2026-11-21' }, 'provider')
  t.equal(rows.length, ENTRIES)
  t.ok(rows.every(r => r.yuan === 1), 'each entry: 10 min at ¥6/h')
  await reopened.close()
})
