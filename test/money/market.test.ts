import t, { type Test } from 'tap'
import { makeInstance } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator, type SimMachine } from '../../src/demo/simulators/autodl/server.js'
import { alertsWorld, OPERATOR, READER } from '../helpers/alerts-world.js'
import { replies } from '../helpers/telegram.js'

const machine = (id: string, region: string, gpu: string, price: number, idle = 0): SimMachine =>
  ({ machine_id: id, machine_alias: `${id.slice(-3)}机`, region_name: region === 'west-B' ? '西北B区' : '西北C区', region_sign: region, gpu_name: gpu, gpu_all_num: 8, gpu_idle_num: idle, payg_price: price })

/** An account with one RTX 3090 instance, and a market with two RTX 4090 hosts (west-B, west-C) and an A100 host, none idle. */
async function market (t: Test) {
  const simulator = await startAutodlSimulator({
    accounts: [{ phone: '13800000000', password: 'pw', instances: [makeInstance({ uuid: 'r1', machine_id: 'm-own', name: 'trainer', region_sign: 'west-B', status: 'running', gpu_idle_num: 0 })] }],
    market: [machine('m-4090b', 'west-B', 'RTX 4090', 2720), machine('m-4090c', 'west-C', 'RTX 4090', 2500), machine('m-a100', 'west-B', 'A100-SXM4-80GB', 9000, 3)]
  })
  t.teardown(() => simulator.close())
  return { simulator, entries: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }] }
}

const watch = { market: [{ gpu: 'RTX 4090', regions: ['west-B', 'west-C'], minIdle: 2 }] }

t.test('alerts.market: said once when a watched model reaches minIdle over its regions, again only after it fell below; across a restart', async t => {
  const { simulator, entries } = await market(t)
  let world = await alertsWorld(t, entries, { alerts: watch })
  const said = (): Array<Record<string, any>> => world.hooks.deliveries.filter(d => d.json.event === 'market.available').map(d => d.json)
  await world.host.market.check()
  simulator.setHostIdle('m-4090b', 1)
  await world.host.market.check()
  await world.host.dispatcher.flush()
  t.same(said(), [], '0, then 1 of the 2 watched for: nothing')
  t.match(world.host.market.readings(), [{ key: 'RTX 4090@west-B,west-C', provider: 'lab', idle: 1, total: 16 }])

  simulator.setHostIdle('m-4090c', 2)
  await world.host.market.check()
  await world.host.dispatcher.flush()
  t.equal(said().length, 1)
  t.match(said()[0], { provider: { id: 'lab', type: 'autodl' }, instance: null, data: { gpu: 'RTX 4090', regions: ['west-B', 'west-C'], minIdle: 2, idle: 3, total: 16 } })
  t.same(said()[0]!['data'].hosts.map((h: { machineId: string; pricePerGpuHour: number; idle: number }) => [h.machineId, h.idle, h.pricePerGpuHour]), [['m-4090c', 2, 2.5], ['m-4090b', 1, 2.72]], 'cheapest first')
  t.equal(said()[0]!['message'].en, '🛒 RTX 4090: 3 of 16 GPUs idle in west-B, west-C (watching for 2).\nHosts with idle GPUs (idle · per GPU-hour):\n• 90c机 西北C区 · 2 · ¥2.50\n• 90b机 西北B区 · 1 · ¥2.72')
  t.match(replies(world.telegram, READER).at(-1), /^🛒 RTX 4090: 3 of 16 GPUs idle/, 'to the readers in Telegram')
  t.same(simulator.requests.filter(r => r.path.includes('/order/')), [], 'nothing is ever ordered')

  await world.host.market.check()
  world = await world.restart()
  await world.host.market.check()
  await world.host.dispatcher.flush()
  t.equal(said().length, 1, 'not repeated, not after a restart either')

  simulator.setHostIdle('m-4090c', 0)
  await world.host.market.check()
  simulator.setHostIdle('m-4090c', 4)
  await world.host.market.check()
  await world.host.dispatcher.flush()
  t.equal(said().length, 2, 'below, then above again: said again')
})

t.test('/market and GET /api/v1/market read the market now; bad questions get what to fix', async t => {
  const { simulator, entries } = await market(t)
  const world = await alertsWorld(t, entries, { alerts: watch, api: { apiKeys: [{ name: 'ops', key: 'ops-key-0123456789abcdef', scopes: ['read'] }] } })
  await world.poll()
  replies(world.telegram, OPERATOR)
  simulator.setHostIdle('m-4090b', 3)
  await world.say(OPERATOR, '/market RTX 4090 west-B west-C')
  await world.say(OPERATOR, '/market rtx 4090')
  await world.say(OPERATOR, '/market A100-SXM4-80GB west-B')
  await world.say(OPERATOR, '/market H100 west-B')
  await world.say(OPERATOR, '/market')
  const [both, fromWatches, a100, h100, usage] = replies(world.telegram, OPERATOR)
  t.equal(both, '🛒 RTX 4090 in west-B, west-C: 3 of 16 GPUs idle (read now).\nHosts with idle GPUs (idle · per GPU-hour):\n• 90b机 西北B区 · 3 · ¥2.72')
  t.equal(fromWatches, both, 'without regions: the watches\' regions for that model (the model matched without regard to case)')
  t.match(a100, /^🛒 A100-SXM4-80GB in west-B: 3 of 8 GPUs idle/)
  t.equal(h100, 'H100 is not on the market in west-B.')
  t.match(usage, /^Usage: \/market <GPU model> \[region codes\]/)
  const body = simulator.requests.find(r => r.path === '/api/v1/user/machine/list')?.body
  t.match(body, { charge_type: 'payg', region_sign_list: ['west-B', 'west-C'], gpu_type_name: ['RTX 4090'], gpu_idle_num: 1, page_index: 1 }, 'the documented body')

  simulator.inject('/api/v1/machine/region/gpu_type', { status: 200, body: { code: 'Success', msg: '', data: [{ 'RTX 4090': { idle_gpu_num: '3', total_gpu_num: 8 } }] } })
  await world.say(OPERATOR, '/market RTX 4090 west-B')
  t.match(replies(world.telegram, OPERATOR).at(-1), /^❌ Could not read the market: AutoDL POST \/api\/v1\/machine\/region\/gpu_type: unexpected answer: data\[0\]\.RTX 4090\.idle_gpu_num: must be an integer$/, 'a malformed answer names its field')

  const headers = { authorization: 'Bearer ops-key-0123456789abcdef' }
  const answer = await world.host.api.inject({ url: '/api/v1/market?gpu=RTX%204090&regions=west-B', headers })
  t.equal(answer.statusCode, 200)
  t.same(answer.json(), {
    provider: 'lab', gpu: 'RTX 4090', regions: ['west-B'], idle: 3, total: 8,
    hosts: [{ machineId: 'm-4090b', name: '90b机', region: '西北B区', regionCode: 'west-B', gpu: 'RTX 4090', idle: 3, pricePerGpuHour: 2.72 }]
  })
  t.equal((await world.host.api.inject({ url: '/api/v1/market?regions=west-B', headers })).statusCode, 400)
  const badRegions = await world.host.api.inject({ url: '/api/v1/market?gpu=RTX%204090&regions=west B', headers })
  t.equal(badRegions.statusCode, 400)
  t.equal((await world.host.api.inject({ url: '/api/v1/market?gpu=RTX%204090&regions=west-B&provider=nope', headers })).statusCode, 404)
})

t.test('a watch naming an entry that is missing or has no market is a config error', async t => {
  const { entries } = await market(t)
  await t.rejects(alertsWorld(t, entries, { alerts: { market: [{ gpu: 'RTX 4090', regions: ['west-B'], provider: 'nope' }] } }), { message: /alerts\.market\[0\]\.provider: no provider entry "nope"/ })
  await t.rejects(alertsWorld(t, entries, { alerts: { market: [{ gpu: 'RTX 4090', regions: [] }] } }), { message: /alerts\.market\[0\]\.regions/ })
})
