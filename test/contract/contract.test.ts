import t from 'tap'
import { runProviderContract } from './provider-contract.js'
import { builtinTypes, subjects } from './subjects.js'

t.test('every built-in provider type is under contract', async t => {
  const covered = new Set(subjects.map(s => s.type))
  for (const type of builtinTypes) t.ok(covered.has(type), `${type} has a contract subject`)
})

for (const subject of subjects) runProviderContract(t, subject)
