import t from 'tap'
import { makeInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { alertsWorld, OPERATOR, TOKEN } from '../helpers/alerts-world.js'
import { pump, replies } from '../helpers/telegram.js'

const MINUTE = 60_000

t.test('/cost and GET /api/v1/cost: what the running instances cost between polls, per instance, provider and day', async t => {
  const instances = [
    makeInstance({ uuid: 'r1', machine_id: 'm-1', name: 'trainer', region_name: '西北B区', status: 'running', payg_price: 6000 }),
    makeInstance({ uuid: 'r2', machine_id: 'm-2', name: 'eval', region_name: '西北B区', status: 'running', payg_price: 3000 })
  ]
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances }] })
  t.teardown(() => simulator.close())
  // The host's clock at 10:00 in Shanghai (the world's zone), far from midnight: "today" holds all 20 minutes.
  const clock = { offset: Date.parse('2026-11-21T02:00:00Z') - Date.now() }
  const world = await alertsWorld(t, [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }], { clock })
  await world.poll()
  world.tick(10 * MINUTE) // within maxGapMs (10 min: two polls of 60 s, at least 10 min)
  await world.poll()
  world.tick(10 * MINUTE)
  await world.poll()

  const client = world.telegram.getClient(TOKEN, { userId: OPERATOR, chatId: OPERATOR })
  replies(world.telegram, OPERATOR)
  await client.sendCommand(client.makeCommand('/cost'))
  await pump(world.host.bot!.bot)
  const [text] = replies(world.telegram, OPERATOR)
  t.match(text, /^💴 Today \(2026-11-21 to 2026-11-21\): ¥3\.00\n• lab \/ trainer: ¥2\.00\n• lab \/ eval: ¥1\.00\nEstimated from/)
  await client.sendCommand(client.makeCommand('/cost year'))
  await pump(world.host.bot!.bot)
  t.same(replies(world.telegram, OPERATOR), ['Usage: /cost [today|week|month]'])

  const report = await world.host.api.inject({ url: '/api/v1/cost?groupBy=instance' })
  t.equal(report.statusCode, 200)
  t.match(report.json(), { groupBy: 'instance', currency: 'CNY', estimate: true, totalYuan: 3, rows: [{ provider: 'lab', instanceId: 'r1', name: 'trainer', yuan: 2 }, { provider: 'lab', instanceId: 'r2', name: 'eval', yuan: 1 }] })
  const byDay = (await world.host.api.inject({ url: '/api/v1/cost?groupBy=day' })).json() as { rows: Array<{ day: string; yuan: number }> }
  t.equal(byDay.rows.reduce((sum, r) => sum + r.yuan, 0), 3)
  const bad = await world.host.api.inject({ url: '/api/v1/cost?from=2026-12-01&to=2026-11-01' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { code: 'CW_ERR_VALIDATION', message: 'querystring/from (2026-12-01) is after querystring/to (2026-11-01)' })
  t.equal((await world.host.api.inject({ url: '/api/v1/cost?from=yesterday' })).statusCode, 400)
  const metrics = await world.host.api.inject({ url: '/metrics' })
  t.match(metrics.body, /computewatch_cost_yuan_total\{provider="lab",type="autodl"\} 3(\.0+\d*)?\n/)
})
