import t from 'tap'
import { makeInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { alertsWorld, READER } from '../helpers/alerts-world.js'

const MINUTE = 60_000

t.test('cost.daily: once a day from alerts.dailySummaryHour, yesterday\'s observed cost per provider and the balances', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances: [
    makeInstance({ uuid: 'r1', machine_id: 'm-1', name: 'trainer', region_name: '西北B区', status: 'running', payg_price: 6000 })
  ] }] })
  t.teardown(() => simulator.close())
  const clock = { offset: Date.parse('2026-11-21T12:00:00Z') - Date.now() } // 20:00 in Shanghai
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }], { clock, alerts: { dailySummaryHour: 9 } })
  const summaries = () => world.messages(READER).map(m => m.text).filter(m => m.startsWith('💴 Running cost on'))
  await world.poll()
  t.same(summaries(), ['💴 Running cost on 2026-11-20 (estimate): ¥0.00\n💰 lab: ¥100.00'], 'past 09:00 already: yesterday\'s (nothing was observed)')
  world.tick(10 * MINUTE)
  await world.poll() // ¥1.00 on the 21st
  t.equal(summaries().length, 1, 'once a day')
  world.tick(12 * 60 * MINUTE + 40 * MINUTE) // 08:50 on the 22nd
  await world.poll()
  t.equal(summaries().length, 1, 'not before 09:00')
  world.tick(10 * MINUTE)
  await world.poll()
  t.same(summaries().at(-1), '💴 Running cost on 2026-11-21 (estimate): ¥1.00\n• lab: ¥1.00\n💰 lab: ¥100.00')
  const hook = world.hooks.deliveries.filter(d => d.json.event === 'cost.daily').at(-1)
  t.same(hook?.json.data, { day: '2026-11-21', totalYuan: 1, providers: [{ provider: 'lab', yuan: 1 }], balances: [{ provider: 'lab', balanceYuan: 100 }] })
})

t.test('no dailySummaryHour, no summary', async t => {
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances: [] }] })
  t.teardown(() => simulator.close())
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }])
  await world.poll()
  t.same(world.messages(READER), [])
})
