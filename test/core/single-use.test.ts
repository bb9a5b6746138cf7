import { Keyv } from 'keyv'
import t from 'tap'
import { SingleUse } from '../../src/core/single-use.js'

t.test('a token is claimed once: twice at once, one wins; a restart does not revive it', async t => {
  const store = new Keyv()
  const once = new SingleUse(store, 60_000)
  t.equal(await once.used('a'), false)
  const [first, second] = await Promise.all([once.claim('a'), once.claim('a')])
  t.same([first, second].sort(), [false, true], 'two claims at once: exactly one wins')
  t.equal(await once.claim('a'), false, 'and never again')
  t.equal(await once.used('a'), true)
  t.equal(await new SingleUse(store, 60_000).claim('a'), false, 'the mark is in the store: a new process sees it')
  t.equal(await once.claim('b'), true, 'other tokens are independent')
})
