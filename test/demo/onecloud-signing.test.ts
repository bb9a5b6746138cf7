import t from 'tap'
import { expectedPwd, expectedQuerySign } from '../../src/demo/simulators/onecloud/signing.js'
import { onecloudPwd } from '../../providers/onecloud/index.js'

// The shared truth of the OneCloud simulator and provider: the request captured in seed 004 —
// GET /listPeer?X-LICENCE-PUB=1&appversion=2.2.1&ct=2&sign=1fbb87357a71e379db26b3ac76743418&userid=5458114&v=9
// with the cookie sessionid=dc3dee9cbb367601e3483835c7eacc9b.
t.test('the simulator\'s own signing reproduces the capture in seed 004', async t => {
  t.equal(expectedQuerySign({ appversion: '2.2.1', ct: '2', userid: '5458114', v: '9' }, 'dc3dee9cbb367601e3483835c7eacc9b'), '1fbb87357a71e379db26b3ac76743418')
  t.not(expectedQuerySign({ appversion: '2.2.1', ct: '2', userid: '5458114', v: '9' }, 'another-session'), '1fbb87357a71e379db26b3ac76743418')
})

t.test('its pwd (written independently of the provider\'s) agrees with the provider\'s', async t => {
  for (const password of ['secret', 'wky-pass', '玩客云密码', '']) t.equal(expectedPwd(password), onecloudPwd(password), JSON.stringify(password))
})
