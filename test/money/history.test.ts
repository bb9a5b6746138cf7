import t from 'tap'
import { makeInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { alertsWorld, OPERATOR } from '../helpers/alerts-world.js'
import { replies } from '../helpers/telegram.js'

const HOUR = 3600_000

t.test('/history and GET …/history: 3 days of polls, a GPU idle 02:00–07:00 Shanghai time; kept across a restart', async t => {
  const simulator = await startAutodlSimulator({
    accounts: [{ phone: '13800000000', password: 'pw', instances: [makeInstance({ uuid: 'r1', machine_id: 'm-1', name: 'trainer', status: 'shutdown', req_gpu_amount: 1, gpu_all_num: 8, gpu_idle_num: 0 })] }],
    market: [{ machine_id: 'm-4090', machine_alias: '409机', region_name: '西北B区', region_sign: 'west-B', gpu_name: 'RTX 4090', gpu_all_num: 8, gpu_idle_num: 0, payg_price: 2500 }]
  })
  t.teardown(() => simulator.close())
  // Hourly polls (two hours without one is a gap), starting at a Monday midnight in Shanghai.
  const entries = [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url, pollIntervalSeconds: 3600 }]
  const clock = { offset: Date.parse('2026-11-02T00:00:00+08:00') - Date.now() }
  const options = { clock, alerts: { market: [{ gpu: 'RTX 4090', regions: ['west-B'], minIdle: 1 }] }, api: { apiKeys: [{ name: 'r', key: 'read-key-0123456789abcdef', scopes: ['read'] }] } }
  let world = await alertsWorld(t, entries, options)
  const shanghaiHour = (): number => (world.now().getUTCHours() + 8) % 24
  for (let step = 0; step < 3 * 48; step++) {
    const idle = shanghaiHour() >= 2 && shanghaiHour() < 7 ? 1 : 0
    simulator.setHostIdle('m-1', idle)
    simulator.setHostIdle('m-4090', idle * 2)
    await world.poll()
    await world.host.market.check()
    world.tick(HOUR / 2)
  }
  replies(world.telegram, OPERATOR)
  await world.say(OPERATOR, '/history trainer')
  t.match(replies(world.telegram, OPERATOR), [/^📈 trainer: over the last 30 days \(observed (3d|2d, 23h.*)\), its host had at least 1 idle GPU\(s\) 2[01]% of the time\.\nBest hours: 02:00–07:00\.$/])

  const headers = { authorization: 'Bearer read-key-0123456789abcdef' }
  const res = await world.host.api.inject({ url: '/api/v1/instances/lab/r1/history', headers })
  t.equal(res.statusCode, 200)
  const report = res.json()
  t.match(report, { need: 1, bestHours: { from: 2, to: 7 } })
  t.equal(report.week[0][3], 1, 'Monday 03:00 Shanghai: always available')
  t.equal(report.week[0][12], 0)
  t.equal(report.week[5][3], null, 'Saturday: not observed')
  t.ok(report.recent.length >= 4 && report.recent.length <= 8, `the last 48 h as changes (${report.recent.length}), not one point per poll`)
  t.ok(report.averages.length > 400, 'and 10-minute averages over the whole span')
  t.equal((await world.host.api.inject({ url: '/api/v1/instances/lab/nope/history', headers })).statusCode, 404)
  const market = (await world.host.api.inject({ url: '/api/v1/market/history', headers })).json()
  t.match(market['RTX 4090@west-B'], { need: 1, bestHours: { from: 2, to: 7 } }, 'the watched market too')

  world = await world.restart()
  await world.poll()
  replies(world.telegram, OPERATOR)
  await world.say(OPERATOR, '/history trainer')
  t.match(replies(world.telegram, OPERATOR), [/Best hours: 02:00–07:00\./], 'kept in the store')
  await world.say(OPERATOR, '/history')
  t.match(replies(world.telegram, OPERATOR), ['Usage: /history <instance name or id prefix>'])
})
