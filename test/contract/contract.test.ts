import t from 'tap'
import { runProviderContract } from './provider-contract.js'
import { builtinTypes, subjects } from './subjects.js'
import { captureLog } from '../helpers/log.js'

t.test('every built-in provider type is under contract', async t => {
  const covered = new Set<string>()
  for (const subject of subjects) {
    const env = await subject.setup(t, captureLog())
    covered.add(env.type)
    t.equal(env.type, env.type.toLowerCase())
  }
  for (const type of builtinTypes) t.ok(covered.has(type), `${type} has a contract subject`)
})

for (const subject of subjects) runProviderContract(t, subject)
