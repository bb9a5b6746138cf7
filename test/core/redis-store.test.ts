import t from 'tap'
import { openStateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'
import { startRedis } from '../helpers/redis.js'

t.test('the Redis store keeps the promise too: a write it cannot make rejects with CW_ERR_STORE, logged once', async t => {
  const captured = captureLog()
  const store = await openStateStore('redis://127.0.0.1:1', { baseDir: '/', log: captured.log, redisConnectTimeoutMs: 300 })
  t.teardown(() => store.close().catch(() => {}))
  const ns = store.namespace('alerts')
  for (let i = 0; i < 3; i++) await t.rejects(ns.set('mutes', [{ id: String(i) }]), { code: 'CW_ERR_STORE', statusCode: 503 })
  t.equal(captured.entries().filter(l => String(l['msg']).includes('redis store error')).length, 1, 'the connection error is logged once per burst')
})

t.test('fenced writes: with a fence, Redis keeps a write only while the fence is this host\'s token', async t => {
  const redis = await startRedis(t)
  if (!redis) return t.fail('redis-server not found: apt-get install -y redis-server (.ci/run installs it)')
  const captured = captureLog()
  const store = await openStateStore(redis.url, { baseDir: '/', log: captured.log })
  t.teardown(() => store.close())
  const ns = store.namespace('alerts')
  await ns.set('before', 1)
  t.equal(await ns.get('before'), 1, 'no fence yet: plain writes (a store opened by a command, not a host)')

  const client = await redis.client()
  let token: number | null = 7
  let refusals = 0
  store.redis!.fence({ fenceKey: 'computewatch:fence', get token () { return token }, refused: () => { refusals++ } })
  await client.set('computewatch:fence', '7')
  await ns.set('state', { a: 1 }, 60_000)
  t.same(await ns.get('state'), { a: 1 }, 'the current token writes')
  t.ok(await client.pTTL('alerts::state') > 50_000, 'with its expiry')
  t.equal(await ns.delete('state'), true)
  t.equal(await ns.get('state'), undefined, 'and deletes')

  await ns.set('state', { a: 2 })
  await client.set('computewatch:fence', '8') // another host took the lease
  await t.rejects(ns.set('state', { a: 3 }), { code: 'CW_ERR_STORE', message: /fencing token 7 is stale/ })
  await t.rejects(ns.delete('state'), { code: 'CW_ERR_STORE' })
  t.same(await ns.get('state'), { a: 2 }, 'a stale token\'s write and delete are refused')
  t.equal(refusals, 2, 'and the fence hears of each refusal (the lease steps down)')

  token = null
  await t.rejects(ns.set('state', { a: 4 }), { code: 'CW_ERR_STORE', message: /not the leader/ })
  t.equal(refusals, 2, 'without a token nothing is sent')
  t.same(await ns.get('state'), { a: 2 })
})
