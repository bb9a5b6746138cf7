import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import KeyvRedis from '@keyv/redis'
import { openStateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'

t.test('file store: namespaces do not collide, values survive a reopen, the file is private', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-store-'))
  const { log } = captureLog()
  const first = await openStateStore('file:./data/state.json', { baseDir: dir, log })
  await first.namespace('provider:a').set('session', { token: 'A' })
  await first.namespace('provider:b').set('session', { token: 'B' })
  await first.close()
  const file = join(dir, 'data', 'state.json')
  t.equal((await stat(file)).mode & 0o777, 0o600)
  t.equal((await stat(join(dir, 'data'))).mode & 0o777, 0o700)
  const second = await openStateStore(`file:${file}`, { baseDir: '/', log })
  t.same(await second.namespace('provider:a').get('session'), { token: 'A' })
  t.same(await second.namespace('provider:b').get('session'), { token: 'B' })
  t.equal(await second.namespace('provider:c').get('session'), undefined)
  t.match(await readFile(file, 'utf8'), 'provider:a:session')
  await second.close()
})

t.test('redis:// selects @keyv/redis, one adapter per namespace (no connection until used)', async t => {
  const { log } = captureLog()
  const store = await openStateStore('redis://127.0.0.1:1', { baseDir: '/', log })
  t.equal(store.description, 'redis')
  const a = store.namespace('provider:a')
  const b = store.namespace('provider:b')
  t.ok(a.store instanceof KeyvRedis, '@keyv/redis\'s adapter (with fenced writes once replicas give it a fence)')
  t.not(a.store, b.store)
  t.equal((a.store as { namespace?: string }).namespace, 'provider:a')
  t.equal((b.store as { namespace?: string }).namespace, 'provider:b')
  await store.close()
})

t.test('an unsupported store URL is a config error that hides credentials', async t => {
  const { log } = captureLog()
  const err = await openStateStore('mysql://user:pw@db/cw', { baseDir: '/', log }).catch(e => e)
  t.equal(err.code, 'CW_ERR_CONFIG')
  t.notOk(err.message.includes('pw@'))
})
