import t, { type Test } from 'tap'
import { BoardmateProvider, normalizeBoardmateOptions } from '../../../providers/boardmate/index.js'
import { NotSupportedError, ProviderApiError, ProviderAuthError, ProviderResponseError } from '../../../src/core/errors.js'
import { makeDeps } from '../../helpers/provider.js'
import { boardmateSampleUser, startBoardmateSimulator } from '../../../src/demo/simulators/boardmate/server.js'

const KEY = 'Zx8aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1h'
const USER = '123456789012345678'

async function setup (t: Test) {
  const simulator = await startBoardmateSimulator({ apiKey: KEY, users: { [USER]: boardmateSampleUser() } })
  t.teardown(() => simulator.close())
  const provider = (key = KEY, user = USER) => new BoardmateProvider(normalizeBoardmateOptions({ baseUrl: simulator.url, apiKey: key, discordUserId: user }), makeDeps('bm'))
  return { simulator, provider }
}

t.test('GET with the key as a form field; servers as instances with limits, url and unknown state', async t => {
  const { simulator, provider } = await setup(t)
  const p = provider()
  const list = await p.listInstances()
  const sent = simulator.requests[0]!
  t.same([sent.method, sent.path, sent.headers['content-type']], ['GET', `/api/user/${USER}`, 'application/x-www-form-urlencoded'])
  t.same(simulator.forms, [{ key: KEY }], 'the key travels as a form field of the GET')
  t.same(list[0], {
    id: '22389661', name: 'My Python Server', region: null, state: 'unknown', providerState: 'unknown', gpu: null,
    stoppedAt: null, releaseAt: null, pricePerHour: null, url: 'https://fmdb.maybeisfree.host/server/22389661',
    metrics: { memoryTotalBytes: 1024 * 1048576, diskTotalBytes: 1024 * 1048576 }
  })
  t.equal(list.length, 2)
  t.same(p.accountDetails(), { money: 5269, used: { cpu: 100, disk: 3072, memory: 2048, servers: 2 }, quota: { cpu: 100, disk: 5120, memory: 5120, servers: 3 } })
  t.equal(simulator.log.length, 1, 'BoardMate logs each call')
  t.notOk(JSON.stringify(list).includes(KEY))
})

t.test('403, 404 and 400 become clear errors', async t => {
  const { simulator, provider } = await setup(t)
  const denied = await provider('wrong-key-000000').listInstances().catch(e => e)
  t.type(denied, ProviderAuthError)
  t.equal(denied.message, 'BoardMate rejected the API key (API Key錯誤); use the key BoardMate printed at its first start (data/api.json)')
  const missing = await provider(KEY, '999999999999').listInstances().catch(e => e)
  t.type(missing, ProviderApiError)
  t.equal(missing.message, 'BoardMate has no user with Discord id 999999999999: 404 (未找到此用戶)')
  const noForm = await fetch(`${simulator.url}/api/user/${USER}`)
  t.same([noForm.status, await noForm.json()], [400, { code: 400, message: '資料有誤' }], 'the simulator, like BoardMate, needs the form even on GET')
})

t.test('read-only; garbage is a response error', async t => {
  const { simulator, provider } = await setup(t)
  const p = provider()
  t.same(p.capabilities, { powerOn: false, powerOff: false, noGpuMode: false, releaseAfterStopSeconds: null })
  await t.rejects(p.powerOn('22389661', { mode: 'gpu' }), NotSupportedError)
  await t.rejects(p.powerOff('22389661'), NotSupportedError)
  simulator.inject('/api/user/:id', 'garbage')
  await t.rejects(p.listInstances(), ProviderResponseError)
})
