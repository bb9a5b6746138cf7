import t, { type Test } from 'tap'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { alertsWorld, OPERATOR, TOKEN } from '../helpers/alerts-world.js'
import { press } from '../helpers/telegram.js'

const MINUTE = 60_000

/** A running trainer at ¥6/h and a shut-down waiter (¥1.88/h) whose host has no idle GPU; the clock at 10:00 in Shanghai. */
async function setup (t: Test, options: { budget?: object; entryBudget?: object } = {}) {
  const simulator = await startAutodlSimulator({
    transitionMs: 40,
    accounts: [{ phone: '13800000000', password: 'pw', instances: [
      makeInstance({ uuid: 'r1', machine_id: 'hostR', name: 'trainer', region_name: '西北B区', status: 'running', payg_price: 6000 }),
      makeInstance({ uuid: 'w1', machine_id: 'hostW', name: 'waiter', region_name: '西北B区', status: 'shutdown', req_gpu_amount: 2, gpu_all_num: 8, gpu_idle_num: 0, payg_price: 1880, stopped_at: nullTime(new Date()) })
    ] }]
  })
  t.teardown(() => simulator.close())
  const clock = { offset: Date.parse('2026-11-21T02:00:00Z') - Date.now() }
  const entry = { id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url, ...(options.entryBudget ? { budget: options.entryBudget } : {}) }
  const world = await alertsWorld(t, [entry], { clock, ...(options.budget ? { budget: options.budget } : {}) })
  await world.poll()
  world.tick(10 * MINUTE)
  await world.poll() // the trainer ran 10 minutes: ¥1.00 this month
  return { simulator, world }
}

async function autoWatch (world: Awaited<ReturnType<typeof setup>>['world']): Promise<void> {
  await world.say(OPERATOR, '/watch waiter auto 1h')
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, '✅ Confirm')
}

t.test('an automatic power-on that would reach the monthly budget is refused, said so, audited; the budget alert comes once', async t => {
  const { simulator, world } = await setup(t, { budget: { monthlyYuan: 2.5 } })
  await autoWatch(world)
  simulator.setHostIdle('hostW', 2)
  await world.poll()
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], undefined, '¥1.00 spent + ¥1.88 for an hour ≥ ¥2.50: not powered on')
  const said = world.messages(OPERATOR).map(m => m.text).find(m => m.startsWith('❌ Powering 西北B区 / waiter on by its watch failed'))
  t.match(said, 'the monthly budget is reached: ¥1.00 spent in 2026-11 + ¥1.88 projected for an hour of ¥2.50')
  const refused = (await world.host.audit.list({ visible: () => true })).find(e => e.action === 'power-on' && e.result === 'refused')
  t.match(refused, { actor: { kind: 'system' }, detail: /monthly budget is reached/ })

  world.tick(10 * MINUTE)
  await world.poll() // ¥2.00
  world.tick(5 * MINUTE)
  await world.poll() // ¥2.50: reached
  const reached = () => world.messages(OPERATOR).filter(m => m.text.startsWith('🧾 This month (2026-11) the observed cost ¥2.50 reached the budget of ¥2.50'))
  t.equal(reached().length, 1, 'budget.reached')
  t.ok(world.hooks.deliveries.some(d => d.json.event === 'budget.reached' && d.json.data.scope === 'global'))
  world.tick(5 * MINUTE)
  await world.poll()
  t.equal(reached().length, 1, 'once a month')
})

t.test('a manual power-on is not refused by a budget, and its confirmation says where the budgets stand', async t => {
  const { simulator, world } = await setup(t, { budget: { monthlyYuan: 1 }, entryBudget: { monthlyYuan: 500 } })
  simulator.setHostIdle('hostW', 2)
  world.tick(MINUTE)
  await world.poll()
  await world.say(OPERATOR, '/on waiter')
  t.equal(world.messages(OPERATOR).at(-1)?.text, [
    '⚡ Power on 西北B区 / waiter with GPU: 2× RTX 3090, billed at ¥1.88/h. Confirm?',
    '💴 This month (2026-11): ¥1.10 of the ¥1.00 budget (estimate) — reached: automatic power-ons are refused, manual ones are not',
    '💴 lab this month (2026-11): ¥1.10 of its ¥500.00 budget (estimate)'
  ].join('\n'))
  await press(world.telegram, world.host.bot!.bot, TOKEN, OPERATOR, '✅ Confirm')
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], 1, 'powered on')
  const confirmation = await world.host.api.inject({ method: 'POST', url: '/api/v1/instances/lab/r1/confirmations', payload: { action: 'power-off' } })
  t.notMatch(confirmation.body, 'budget', 'a power-off says nothing of budgets')
})

t.test('an entry\'s own budget binds its automatic power-ons', async t => {
  const { simulator, world } = await setup(t, { entryBudget: { monthlyYuan: 2 } })
  await autoWatch(world)
  simulator.setHostIdle('hostW', 2)
  await world.poll()
  t.equal(simulator.stats.requests['/api/v1/instance/power_on'], undefined)
  t.match(world.messages(OPERATOR).map(m => m.text).join('\n'), 'the monthly budget of lab is reached')
})
