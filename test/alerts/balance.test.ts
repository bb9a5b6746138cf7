import t, { type Test } from 'tap'
import { makeInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { alertsWorld, OPERATOR, READER, TOKEN } from '../helpers/alerts-world.js'
import { pump, replies } from '../helpers/telegram.js'

/** An account with ¥8 and two running instances at ¥1.88/h and ¥2.00/h, and a shut-down one. */
async function lab (t: Test) {
  const instances = [
    makeInstance({ uuid: 'r1', machine_id: 'm-1', name: 'trainer', region_name: '西北B区', status: 'running', payg_price: 1880 }),
    makeInstance({ uuid: 'r2', machine_id: 'm-2', name: 'eval', region_name: '西北B区', status: 'running', payg_price: 2000 }),
    makeInstance({ uuid: 's1', machine_id: 'm-3', name: 'idle-box', region_name: '西北B区', status: 'shutdown', payg_price: 5000 })
  ]
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances, balance: 8000 }] })
  t.teardown(() => simulator.close())
  return { simulator, entries: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }] }
}

const lowAlerts = (texts: string[]) => texts.filter(m => m.startsWith('💰 lab balance'))

t.test('balance.low: once below alerts.lowBalanceYuan, with how long it lasts; again only after a top-up', async t => {
  const { simulator, entries } = await lab(t)
  const world = await alertsWorld(t, entries, { alerts: { lowBalanceYuan: 10 } })
  await world.poll()
  t.same(lowAlerts(world.messages(READER).map(m => m.text)), ['💰 lab balance ¥8.00 is below ¥10.00; at the current ¥3.88/h it lasts about 2h, 3m (estimate).'])
  const hook = world.hooks.deliveries.find(d => d.json.event === 'balance.low')
  t.same(hook?.json.data, { balanceYuan: 8, thresholdYuan: 10, costYuanPerHour: 3.88, hoursLeft: 2.1 })
  await world.poll()
  t.equal(lowAlerts(world.messages(READER).map(m => m.text)).length, 1, 'not repeated')

  simulator.setBalance('13800000000', 50_000)
  const toppedUp = await world.restart()
  await toppedUp.poll()
  simulator.setBalance('13800000000', 6000)
  const spent = await toppedUp.restart()
  await spent.poll()
  t.equal(lowAlerts(spent.messages(READER).map(m => m.text)).length, 2, 'below again after a top-up: said again')
})

t.test('no threshold, no alert; /balance shows every balance with the running cost and how long it lasts', async t => {
  const { entries } = await lab(t)
  const world = await alertsWorld(t, entries)
  await world.poll()
  t.same(lowAlerts(world.messages(READER).map(m => m.text)), [])
  replies(world.telegram, OPERATOR) // the alerts so far (idle-box's release)
  const client = world.telegram.getClient(TOKEN, { userId: OPERATOR, chatId: OPERATOR })
  await client.sendCommand(client.makeCommand('/balance'))
  await pump(world.host.bot!.bot)
  t.same(replies(world.telegram, OPERATOR), ['💰 lab: ¥8.00 · 2 running at ¥3.88/h · lasts about 2h, 3m (estimate)'])
  const metrics = await world.host.api.inject({ url: '/metrics' })
  t.match(metrics.body, 'computewatch_provider_balance_yuan{provider="lab",type="autodl"} 8')
  const providers = (await world.host.api.inject({ url: '/api/v1/providers' })).json() as Array<{ account: unknown }>
  t.same(providers[0]?.account, { balanceYuan: 8 }, 'the API shows it as the entry\'s account details')
})
