import t from 'tap'
import { openStateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'

t.test('the Redis store keeps the promise too: a write it cannot make rejects with CW_ERR_STORE, logged once', async t => {
  const captured = captureLog()
  const store = await openStateStore('redis://127.0.0.1:1', { baseDir: '/', log: captured.log, redisConnectTimeoutMs: 300 })
  t.teardown(() => store.close().catch(() => {}))
  const ns = store.namespace('alerts')
  for (let i = 0; i < 3; i++) await t.rejects(ns.set('mutes', [{ id: String(i) }]), { code: 'CW_ERR_STORE', statusCode: 503 })
  t.equal(captured.entries().filter(l => String(l['msg']).includes('redis store error')).length, 1, 'the connection error is logged once per burst')
})
