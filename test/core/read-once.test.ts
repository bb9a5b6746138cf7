import t from 'tap'
import { ReadOnce } from '../../src/core/read-once.js'

t.test('the first read is shared by callers who ask while it runs; a failed read is tried again', async t => {
  const once = new ReadOnce<object>()
  let reads = 0
  const read = async (): Promise<object> => { reads++; await new Promise(resolve => setTimeout(resolve, 10)); return { n: reads } }
  const [a, b] = await Promise.all([once.get('k', read), once.get('k', read)])
  t.equal(a, b, 'one object for both callers')
  t.equal(await once.get('k', read), a, 'kept')
  t.equal(reads, 1)
  await t.rejects(once.get('x', async () => { throw new Error('store down') }), { message: 'store down' })
  t.same(await once.get('x', read), { n: 2 }, 'read again after the failure')
})
