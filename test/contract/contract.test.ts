import t from 'tap'
import { runProviderContract } from './provider-contract.js'
import { builtinTypes, coveredTypes, subjects } from './subjects.js'

t.test('every built-in provider type is under contract', async t => {
  t.same([...builtinTypes].sort(), [...coveredTypes].sort())
})

for (const subject of subjects) runProviderContract(t, subject)
