import t from 'tap'
import { UserAccounts } from '../../src/core/accounts.js'
import { memoryStateStore } from '../../src/core/store.js'

function make () {
  const events: string[] = []
  const store = memoryStateStore().namespace('accounts')
  const accounts = new UserAccounts(store, {
    attach: async (userId, c) => { events.push(`attach ${userId} ${c.phoneArea} ${c.phone} ${c.passwordHash}`) },
    detach: async (userId) => { events.push(`detach ${userId}`) }
  }, password => `hash(${password})`)
  return { accounts, events, store }
}

t.test('an account is attached once both phone and password are set, in either order', async t => {
  const { accounts, events } = make()
  t.same(await accounts.setPhone(1, '13800000000', '+86'), { credentials: { phone: '13800000000', phoneArea: '+86' }, complete: false })
  t.same(events, [])
  t.equal((await accounts.setPassword(1, 'secret-1')).complete, true)
  t.same(events, ['attach 1 +86 13800000000 hash(secret-1)'], 'only the hash is passed on')
  t.equal((await accounts.setPassword(2, 'secret-2')).complete, false)
  t.equal((await accounts.setPhone(2, '13900000000', '+86')).complete, true, 'a password set first is kept')
})

t.test('a different phone drops the old password; the same phone keeps it', async t => {
  const { accounts } = make()
  await accounts.setPhone(1, '13800000000', '+86')
  await accounts.setPassword(1, 'secret-1')
  t.equal((await accounts.setPhone(1, '13800000000', '+86')).complete, true)
  t.same((await accounts.setPhone(1, '13700000000', '+86')).credentials, { phone: '13700000000', phoneArea: '+86' })
})

t.test('load() attaches every complete account; forget() detaches and deletes', async t => {
  const { accounts, events, store } = make()
  await accounts.setPhone(1, '13800000000', '+86')
  await accounts.setPassword(1, 'secret-1')
  await accounts.setPhone(2, '13900000000', '+86')
  events.length = 0
  const again = new UserAccounts(store, { attach: async (id) => { events.push(`attach ${id}`) }, detach: async () => {} }, String)
  t.same(await again.load(), [1], 'only the complete one')
  t.same(events, ['attach 1'])
  t.equal(await accounts.forget(1), true)
  t.equal(await accounts.forget(1), false)
  t.same(await again.load(), [])
})

t.test('a record stored before the rename (passwordSha1) still counts as complete', async t => {
  const { accounts, events, store } = make()
  await store.set('users', [7])
  await store.set('user:7', { phone: '13800000000', phoneArea: '+86', passwordSha1: 'c'.repeat(40) })
  t.same(await accounts.load(), [7])
  t.same(events, [`attach 7 +86 13800000000 ${'c'.repeat(40)}`])
})

t.test('new complete credentials count as login attempts: 1 per phone per 5 min, 5 per user per hour; nothing saved when refused', async t => {
  const { accounts, events } = make()
  await accounts.setPhone(1, '13800000000', '+86')
  await accounts.setPassword(1, 'secret-1')
  t.equal((await accounts.setPhone(1, '13800000000', '+86')).complete, true, 'the same credentials again are no new attempt')
  const refused = await accounts.setPassword(1, 'secret-2').catch(e => e)
  t.match(refused, { code: 'CW_ERR_RATE_LIMITED', statusCode: 429, limit: 'per-phone' })
  t.ok(refused.retryAt.getTime() > Date.now() + 4 * 60_000, 'retry after about 5 minutes')
  t.equal((await accounts.get(1)).passwordHash, 'hash(secret-1)', 'the refused password was not saved')
  await accounts.setPhone(2, '13800000000', '+86')
  t.match(await accounts.setPassword(2, 'x').catch(e => e), { limit: 'per-phone' }, 'whoever sends it')
  t.notOk(events.some(e => e.startsWith('attach 2')))
})
