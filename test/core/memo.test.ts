import t from 'tap'
import { PollMemo } from '../../src/core/memo.js'

t.test('a value is computed once while polls keep using it, and dropped after a poll that did not', async t => {
  const memo = new PollMemo<string, string>()
  const computed: string[] = []
  const upper = (k: string): string => { computed.push(k); return k.toUpperCase() }
  t.equal(memo.get('a', upper), 'A')
  t.equal(memo.get('a', upper), 'A')
  t.equal(memo.get('b', upper), 'B')
  memo.rotate() // poll 1 ends
  t.equal(memo.get('a', upper), 'A', 'poll 2 reuses poll 1\'s value')
  t.equal(memo.size, 2, 'b is still held until poll 2 ends')
  memo.rotate() // poll 2 ends without b
  t.equal(memo.size, 1)
  t.equal(memo.get('b', upper), 'B')
  t.same(computed, ['a', 'b', 'b'], 'b computed again after a poll without it; a only once')
})

t.test('a falsy value counts as computed', async t => {
  const memo = new PollMemo<string, null>()
  let calls = 0
  memo.get('x', () => { calls++; return null })
  memo.get('x', () => { calls++; return null })
  memo.rotate()
  memo.get('x', () => { calls++; return null })
  t.equal(calls, 1)
})
