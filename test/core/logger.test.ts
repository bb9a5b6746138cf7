import t from 'tap'
import { SecretRegistry } from '../../src/core/secrets.js'
import { captureLog } from '../helpers/log.js'

t.test('SecretRegistry.scrub() replaces registered values, longest first, ignores short ones', async t => {
  const secrets = new SecretRegistry()
  secrets.add('abcdef123456')
  secrets.add('abcdef123456-and-more')
  secrets.add('abc')
  secrets.add(null)
  t.equal(secrets.scrub('x abcdef123456-and-more y abcdef123456 abc'), 'x [redacted] y [redacted] abc')
  secrets.delete('abcdef123456')
  t.equal(secrets.scrub('abcdef123456'), 'abcdef123456')
})

t.test('a secret with characters JSON escapes is scrubbed from JSON lines too', async t => {
  const { log, secrets, lines } = captureLog()
  secrets.add('pa"ss\\word!')
  log.info(`login with pa"ss\\word! failed`)
  t.notOk(lines.join('\n').includes('ss\\\\word'))
  t.match(lines[0], '[redacted]')
})

t.test('a field is redacted because a provider type declares it, not because the logger knows the provider', async t => {
  const plain = captureLog('trace', undefined, [])
  plain.log.info({ raw: { root_password: 'r2-secret' } }, 'undeclared')
  t.match(plain.lines[0], 'r2-secret', 'no provider knowledge in the logger itself')
  const declared = captureLog('trace', undefined, ['root_password'])
  declared.log.info({ raw: { root_password: 'r2-secret' } }, 'declared')
  t.notMatch(declared.lines[0], 'r2-secret')
})

t.test('known secret fields are redacted by path, at any nesting level used by the host', async t => {
  const { log, lines } = captureLog()
  log.info({ password: 'p1-secret', token: 't1-secret', headers: { authorization: 'a1-secret' } }, 'top')
  log.info({ config: { passwordSha1: 's1-secret', apiKeys: ['k1-secret'] }, raw: { root_password: 'r1-secret', ssh_command: 'ssh1-secret' } }, 'nested')
  const out = lines.join('\n')
  for (const secret of ['p1-secret', 't1-secret', 'a1-secret', 's1-secret', 'k1-secret', 'r1-secret', 'ssh1-secret']) t.notOk(out.includes(secret), secret)
  t.equal((out.match(/\[redacted\]/g) ?? []).length, 7)
})

t.test('a registered value is scrubbed wherever it appears, even inside a message', async t => {
  const { log, secrets, lines } = captureLog()
  secrets.add('eyJhbGciOi.token.value')
  log.warn({ err: { message: 'request to https://x/bot?t=eyJhbGciOi.token.value failed' } }, 'eyJhbGciOi.token.value expired')
  t.notOk(lines.join('\n').includes('eyJhbGciOi'))
})

t.test('credentials inside URLs are registered: store and proxy passwords never reach a log line', async t => {
  const { log, secrets, lines } = captureLog()
  secrets.addUrlCredentials('redis://:s3cr3t-redis-pw@db:6379')
  secrets.addUrlCredentials('http://proxyuser:pr0xy-Pass%21@10.0.0.1:7890')
  secrets.addUrlCredentials('not a url')
  secrets.addUrlCredentials('http://127.0.0.1:7890')
  log.warn('connect to redis://:s3cr3t-redis-pw@db:6379 failed via proxyuser:pr0xy-Pass! ')
  t.equal(JSON.parse(lines[0]!).msg, 'connect to redis://:[redacted]@db:6379 failed via [redacted]:[redacted] ')
})
