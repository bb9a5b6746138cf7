import t, { type Test } from 'tap'
import { normalizeOnecloudOptions, OnecloudProvider, onecloudPwd, signQuery } from '../../../providers/onecloud/index.js'
import { md5 } from '../../../providers/onecloud/client.js'
import { NotSupportedError, ProviderAuthError } from '../../../src/core/errors.js'
import { makeDeps } from '../../helpers/provider.js'
import { onecloudSampleDevices, startOnecloudSimulator } from '../../../src/demo/simulators/onecloud/server.js'

async function setup (t: Test) {
  const simulator = await startOnecloudSimulator({ accounts: [{ user: '13800000000', password: 'wky-pass', userid: '5458114', devices: onecloudSampleDevices() }] })
  t.teardown(() => simulator.close())
  const provider = (password = 'wky-pass') => new OnecloudProvider(normalizeOnecloudOptions({
    user: '13800000000', password, accountBaseUrl: simulator.url, controlBaseUrl: simulator.url
  }), makeDeps('wky'))
  return { simulator, provider }
}

t.test('sign reproduces the listPeer capture in seed 004', async t => {
  // GET /listPeer?X-LICENCE-PUB=1&appversion=2.2.1&ct=2&sign=1fbb87357a71e379db26b3ac76743418&userid=5458114&v=9
  // with the cookie sessionid=dc3dee9cbb367601e3483835c7eacc9b
  t.equal(signQuery({ appversion: '2.2.1', ct: '2', userid: '5458114', v: '9' }, 'dc3dee9cbb367601e3483835c7eacc9b'), '1fbb87357a71e379db26b3ac76743418')
})

t.test('pwd: md5, characters shuffled as get_pwd does, md5 again', async t => {
  const s = md5('secret')
  const shuffled = s.slice(0, 2) + s[8] + s.slice(3, 8) + s[2] + s.slice(9, 17) + s[27] + s.slice(18, 27) + s[17] + s.slice(28)
  t.equal(shuffled.length, 32)
  t.not(shuffled, s)
  t.equal(onecloudPwd('secret'), md5(shuffled))
})

t.test('login with signed form and cookies; devices become instances; private fields dropped', async t => {
  const { simulator, provider } = await setup(t)
  const list = await provider().listInstances()
  t.equal(simulator.stats.logins, 1)
  t.same(list, [
    { id: '00226D5A5A74889X0030', name: 'eastmoon6469', region: '杭州市', state: 'running', providerState: 'online', gpu: null, stoppedAt: null,
      releaseAt: null, pricePerHour: null, lastSeenAt: new Date(1546440118 * 1000).toISOString() },
    { id: '00226D5A5A74889X0099', name: 'garage-box', region: '广东省', state: 'offline', providerState: 'offline', gpu: null, stoppedAt: null,
      releaseAt: null, pricePerHour: null, lastSeenAt: new Date(1546449999 * 1000).toISOString() },
    { id: 'OCPG1211EXC', name: 'OCPG1211EXC', region: '杭州市', state: 'error', providerState: 'exception', gpu: null, stoppedAt: null,
      releaseAt: null, pricePerHour: null, lastSeenAt: new Date(1546440107 * 1000).toISOString() }
  ])
  const text = JSON.stringify(list)
  for (const secret of ['T0NQRzEy', '198.51.100', '192.168.31', '00:22:6D', '5458114']) t.notOk(text.includes(secret), `no ${secret}`)
})

t.test('a refused session costs one re-login; a wrong password backs off', async t => {
  const { simulator, provider } = await setup(t)
  const p = provider()
  await p.listInstances()
  simulator.expireSessions()
  t.equal((await p.listInstances()).length, 3)
  t.equal(simulator.stats.logins, 2)
  const wrong = provider('nope')
  const err = await wrong.listInstances().catch(e => e)
  t.type(err, ProviderAuthError)
  t.match(err.message, 'OneCloud login failed: iRet 1 (账号或密码错误)')
  await t.rejects(wrong.listInstances(), /not trying again until/)
  t.equal(simulator.stats.failedLogins, 1)
})

t.test('read-only', async t => {
  const { provider } = await setup(t)
  await t.rejects(provider().powerOn('x', { mode: 'gpu' }), NotSupportedError)
  await t.rejects(provider().powerOff('x'), NotSupportedError)
})

t.test('a session OneCloud refuses right after the login (rtn non-zero) is a failed login: no re-login on every poll', async t => {
  const { simulator, provider } = await setup(t)
  const p = provider()
  simulator.inject('/listPeer', { status: 200, body: { rtn: 11, msg: 'session invalid' } }, 20)
  await t.rejects(p.listInstances())
  for (let poll = 0; poll < 10; poll++) await t.rejects(p.listInstances(), /OneCloud login waits: it rejected the token its last login issued \(rtn 11.*\); not trying again until/)
  t.equal(simulator.stats.logins, 1, 'one login for 11 polls')
})

t.test('status words: online, offline, exception are known; any other word is unknown with the word kept', async t => {
  const { toInstance } = await import('../../../providers/onecloud/map.js')
  const device = (status: string) => toInstance({ device_sn: 'OCPG1', status })
  t.match(device('online'), { state: 'running', providerState: 'online' })
  t.match(device('offline'), { state: 'offline', providerState: 'offline' })
  t.match(device('exception'), { state: 'error', providerState: 'exception' })
  t.match(device('upgrading'), { state: 'unknown', providerState: 'upgrading' }, 'not taken for offline')
})
