import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import PostalMime from 'postal-mime'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import t, { type Test } from 'tap'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'
import { parseConfig } from '../../src/config/load.js'
import type { Alert } from '../../src/notify/alert.js'
import { CHANNEL_TYPES, createChannel } from '../../src/notify/channels.js'
import { createTranslator } from '../../src/present/i18n.js'
import { defaultRegistry } from '../../src/run.js'
import { captureLog } from '../helpers/log.js'
import { issuesOf } from '../helpers/config.js'

const USER = 'alerts@example.test'
const PASSWORD = 'smtp-password-0123'

interface Received { raw: string; secure: boolean; user: unknown; from: string | false; to: string[] }

/**
 * A real SMTP server (smtp-server, by nodemailer's authors) in the test process: STARTTLS with its own
 * self-signed certificate, AUTH PLAIN/LOGIN refused before TLS (`allowInsecureAuth: false`), one user.
 */
async function smtp (t: Test, options: Partial<SMTPServerOptions> = {}) {
  const received: Received[] = []
  let logins = 0
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    logger: false,
    onAuth (auth, _session, callback) {
      logins++
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: auth.username })
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
    },
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({ raw: Buffer.concat(chunks).toString('utf8'), secure: session.secure, user: session.user, from: session.envelope.mailFrom && session.envelope.mailFrom.address, to: session.envelope.rcptTo.map(r => r.address) })
        callback()
      })
    },
    ...options
  })
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  return { port: (server.server.address() as AddressInfo).port, received, logins: () => logins }
}

const alerts: Alert[] = [1, 2].map(n => ({
  id: `a-${n}`, event: 'release.approaching', rule: 'release', at: '2026-11-21T08:00:00.000Z', provider: { id: 'lab', type: 'autodl' }, instance: null,
  text: { zh: `⏳ 实例<${n}> 将在 20小时 后释放`, en: `⏳ box <${n}> will be released in 20h` }, data: {}
}))

async function channel (t: Test, entry: object) {
  const [config] = parseConfig({ providers: [], notify: { channels: [{ type: 'email', from: `computewatch <${USER}>`, to: ['ops@example.test', 'me@example.test'], ...entry }] } }, { registry: defaultRegistry(), alertRules: ALERT_RULES, channelTypes: CHANNEL_TYPES, env: {} }).notify.channels
  const captured = captureLog()
  const counted: string[] = []
  const made = createChannel(config!, {
    t: await createTranslator(config!.language), outbox: null, log: captured.log, retryBaseMs: 5,
    telemetry: { poll () {}, login () {}, webhookDelivery () {}, action () {}, alert: (_event, name, result) => { counted.push(`${name} ${result}`) } }
  })
  t.teardown(() => made.close())
  return { channel: made, captured, counted }
}

t.test('STARTTLS, then AUTH, then one message per group: text and HTML in the channel\'s language, a Message-ID from the delivery id', async t => {
  const server = await smtp(t)
  const { channel: mail, counted } = await channel(t, { host: '127.0.0.1', port: server.port, security: 'starttls', user: USER, password: PASSWORD, ignoreTlsErrors: true, language: 'zh' })
  mail.send(alerts)
  await mail.flush()
  t.equal(server.received.length, 1, 'one message for the group')
  const [received] = server.received
  t.equal(received?.secure, true, 'sent after STARTTLS')
  t.equal(received?.user, USER, 'authenticated')
  t.equal(received?.from, USER)
  t.same(received?.to, ['ops@example.test', 'me@example.test'])
  const parsed = await PostalMime.parse(received!.raw)
  t.equal(parsed.subject, '实例即将释放（2 条）')
  t.same(parsed.text?.split('\n').slice(0, 2), ['• ⏳ 实例<1> 将在 20小时 后释放', '• ⏳ 实例<2> 将在 20小时 后释放'])
  t.match(parsed.html, '<html lang="zh-CN">')
  t.match(parsed.html, '<p style="margin:0 0 8px">• ⏳ 实例&#60;1&#62; 将在 20小时 后释放</p>', 'the HTML body escapes what it shows')
  t.match(parsed.messageId, /^<[0-9a-f-]{36}@computewatch>$/)
  t.equal(parsed.headers.find(h => h.key === 'x-computewatch-delivery')?.value, parsed.messageId!.slice(1, -'@computewatch>'.length))
  t.same(counted, ['email sent'])
})

t.test('implicit TLS (port 465 style)', async t => {
  const server = await smtp(t, { secure: true })
  const { channel: mail } = await channel(t, { host: '127.0.0.1', port: server.port, security: 'tls', user: USER, password: PASSWORD, ignoreTlsErrors: true, language: 'en' })
  mail.send(alerts.slice(0, 1))
  await mail.flush()
  t.equal(server.received[0]?.secure, true)
  t.equal((await PostalMime.parse(server.received[0]!.raw)).subject, 'Release approaching')
})

t.test('a refused login (535) is final: not retried, counted failed, the password nowhere in the log', async t => {
  const server = await smtp(t)
  const { channel: mail, counted, captured } = await channel(t, { host: '127.0.0.1', port: server.port, user: USER, password: 'wrong-password-99', ignoreTlsErrors: true, maxAttempts: 3 })
  captured.secrets.add('wrong-password-99')
  mail.send(alerts)
  await mail.flush()
  t.equal(server.logins(), 1, 'one attempt')
  t.same(counted, ['email failed'])
  t.ok(captured.entries().some(e => e['msg'] === 'alert delivery failed; giving up' && /535/.test(JSON.stringify(e['err']))))
  t.notOk(captured.lines.join('\n').includes('wrong-password-99'))
})

t.test('the server\'s certificate is checked unless ignoreTlsErrors; STARTTLS is required, never skipped', async t => {
  const server = await smtp(t)
  const strict = await channel(t, { host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD, maxAttempts: 1 })
  strict.channel.send(alerts)
  await strict.channel.flush()
  t.same(strict.counted, ['email failed'], 'a self-signed certificate is refused by default')
  t.equal(server.logins(), 0, 'and no password was sent')

  const plain = await smtp(t, { disabledCommands: ['STARTTLS'], allowInsecureAuth: true })
  const downgraded = await channel(t, { host: '127.0.0.1', port: plain.port, user: USER, password: PASSWORD, ignoreTlsErrors: true, maxAttempts: 1 })
  downgraded.channel.send(alerts)
  await downgraded.channel.flush()
  t.same(downgraded.counted, ['email failed'], 'a server without STARTTLS is refused')
  t.equal(plain.logins(), 0, 'the password is not sent in the clear')
  t.equal(plain.received.length, 0)
})

t.test('bad e-mail settings are refused by the config with what to fix', async t => {
  const parse = (entry: object) => parseConfig({ providers: [], notify: { channels: [{ type: 'email', ...entry }] } }, { registry: defaultRegistry(), alertRules: ALERT_RULES, channelTypes: CHANNEL_TYPES, env: {} })
  t.match(issuesOf(() => parse({ host: 'smtp://mail.example.com', from: USER, to: ['x@example.test'] })), ['notify.channels[0].host: must be a host name such as smtp.example.com (no scheme, no port)'])
  t.match(issuesOf(() => parse({ host: 'mail.example.com', from: USER, to: [] })), [/notify\.channels\[0\]\.to: must NOT have fewer than 1 items/])
  t.match(issuesOf(() => parse({ host: 'mail.example.com', from: USER, to: ['x@example.test'], security: 'ssl' })), ['notify.channels[0].security: must be one of: "starttls", "tls", "none"'])
  t.match(issuesOf(() => parse({ host: 'mail.example.com', from: USER, to: ['x@example.test'], smtpPort: 25 })), ['notify.channels[0].smtpPort: unknown key (allowed: host, port, security, user, password, ignoreTlsErrors, from, to)'])
})
