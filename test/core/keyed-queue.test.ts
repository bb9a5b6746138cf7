import t from 'tap'
import { KeyedQueue } from '../../src/core/keyed-queue.js'

const tick = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

t.test('tasks of one key run in order, tasks of different keys side by side; idle keys leave nothing behind', async t => {
  const queue = new KeyedQueue()
  const log: string[] = []
  const task = (name: string, ms: number) => async () => { log.push(`${name} start`); await tick(ms); log.push(`${name} end`); return name }
  const results = Promise.all([queue.add('a', task('a1', 30)), queue.add('a', task('a2', 1)), queue.add('b', task('b1', 1))])
  await queue.onIdle()
  t.same(await results, ['a1', 'a2', 'b1'])
  t.ok(log.indexOf('a1 end') < log.indexOf('a2 start'), 'a2 waits for a1')
  t.ok(log.indexOf('b1 end') < log.indexOf('a1 end'), 'b1 does not wait for a1')
  await t.rejects(queue.add('a', async () => { throw new Error('failed') }), { message: 'failed' })
  t.equal(await queue.add('a', async () => 'after'), 'after', 'a failed task does not stop its key')
  t.equal(queue.busyKeys, 0)
})
