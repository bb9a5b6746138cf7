import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { sha1Hex } from '../../providers/autodl/schema.js'
import { loadConfigFile, parseConfig } from '../../src/config/load.js'
import { ConfigError } from '../../src/core/errors.js'
import { createRegistry } from '../../src/core/registry.js'
import { ALERT_EVENTS, ALERT_RULES } from '../../src/alerts/rules/index.js'
import { CHANNEL_TYPES } from '../../src/notify/channels.js'

const registry = createRegistry(builtinProviders)
const autodl = { id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw' }

/** The issues of a config that must fail. */
function issues (raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(raw, { registry, alertRules: ALERT_RULES, env })
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues]
    throw err
  }
  throw new Error('config was accepted')
}

t.test('a minimal config gets every default', async t => {
  const config = parseConfig({ providers: [autodl] }, { registry, alertRules: ALERT_RULES, env: {}, baseDir: '/etc/cw' })
  t.equal(config.store, 'file:./data/computewatch.json')
  t.equal(config.pollIntervalSeconds, 60)
  t.equal(config.pollTimeoutSeconds, 30)
  t.same(config.api, { host: '127.0.0.1', port: 8080, apiKeys: [] })
  t.same(config.telegram, {
    token: null, apiRoot: 'https://api.telegram.org', proxy: null, allowedUserIds: [], operatorUserIds: [], language: 'zh', timeZone: null,
    accounts: { enabled: true, type: null, baseUrl: null, proxy: null }
  })
  t.same(config.alerts, {
    releaseLadderHours: [72, 24, 6], expiryLadderHours: [72, 24], offlineAfterSeconds: 300, providerFailuresBeforeAlert: 2,
    keepAliveCooldownHours: 12, lowBalanceYuan: null, dailySummaryHour: null, stopTimerWarningMinutes: 10, market: [], marketIntervalSeconds: 300, actionTimeoutSeconds: 600, chatIds: {}, routes: {}
  })
  t.same(config.notify, { webhooks: [], channels: [] })
  t.same(config.providers, [{
    id: 'lab', type: 'autodl', proxy: null, pollIntervalSeconds: 60,
    options: { phone: '13800000000', passwordSha1: sha1Hex('pw'), phoneArea: '+86', baseUrl: 'https://www.autodl.com' }
  }])
  t.equal(config.baseDir, '/etc/cw')
})

t.test('the password is hashed at load and the plain text is not kept', async t => {
  const config = parseConfig({ providers: [{ ...autodl, password: 'S3cret-Plain' }] }, { registry, alertRules: ALERT_RULES, env: {} })
  t.notOk(JSON.stringify(config).includes('S3cret-Plain'))
  t.equal(config.providers[0]?.options['passwordSha1'], sha1Hex('S3cret-Plain'))
})

t.test('${NAME} is replaced from the environment; $${NAME} stays literal', async t => {
  const config = parseConfig({
    telegram: { token: '123:${TG}', allowedUserIds: [1] },
    providers: [{ ...autodl, password: '${AUTODL_PASSWORD}', phone: '${PHONE}' }, { id: 'b', type: 'autodl', token: 'tok-$${LITERAL}' }]
  }, { registry, alertRules: ALERT_RULES, env: { TG: 'abc', AUTODL_PASSWORD: 'from-env', PHONE: '13900000000' } })
  t.equal(config.telegram.token, '123:abc')
  t.equal(config.providers[0]?.options['passwordSha1'], sha1Hex('from-env'))
  t.equal(config.providers[0]?.options['phone'], '13900000000')
  t.equal(config.providers[1]?.options['token'], 'tok-${LITERAL}')
})

t.test('each kind of bad config gives its own clear error', async t => {
  t.same(issues({ providers: [{ ...autodl, phone: 13800000000 }] }), ['providers[0].phone: must be a string'])
  t.same(issues({ providers: [{ ...autodl, password: '${AUTODL_PASSWORD}' }] }), ['providers[0].password: environment variable AUTODL_PASSWORD is not set'])
  t.same(issues({ providers: [{ ...autodl, colour: 'red' }] }),
    ['providers[0].colour: unknown key (allowed: phone, password, passwordSha1, token, phoneArea, baseUrl)'])
  t.same(issues({ providers: [autodl], polInterval: 5 }), [
    'polInterval: unknown key (allowed: store, pollIntervalSeconds, replicas, budget, pollTimeoutSeconds, limits, api, telegram, alerts, notify, providers)'])
  t.same(issues({}), ['providers: is required'])
  t.same(issues({ providers: [{ id: 'x', type: 'vultr' }] }),
    [`providers[0].type: unknown provider type "vultr" (built in: ${registry.types().join(', ')}; or a module path like ./my-provider.js)`])
  t.same(issues({ providers: [{ type: 'autodl', phone: '1' }] }), ['providers[0].id: is required'])
  t.same(issues({ providers: [autodl, { ...autodl }] }), ['providers[1].id: "lab" is used by another entry; ids must be unique'])
  t.same(issues({ providers: [{ ...autodl, id: 'tg-1' }] }), ['providers[0].id: ids starting with "tg-" are reserved for accounts added through the bot'])
  t.same(issues({ providers: [{ ...autodl, id: 'has space' }] }), ['providers[0].id: must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit'])
  t.same(issues({ providers: [{ id: 'x', type: 'autodl', phone: '13800000000' }] }), ['providers[0]: set exactly one of password, passwordSha1 or token'])
  t.same(issues({ providers: [{ ...autodl, token: 'abcdefghij' }] }), ['providers[0]: set exactly one of password, passwordSha1 or token'])
  t.same(issues({ providers: [{ id: 'x', type: 'autodl', password: 'pw' }] }), ['providers[0]: phone is required with password or passwordSha1'])
  t.same(issues({ providers: [{ ...autodl, password: undefined, passwordSha1: 'abc' }] }), ['providers[0].passwordSha1: must be 40 hex characters: the SHA-1 of the password'])
  t.same(issues({ providers: [{ ...autodl, proxy: 'localhost:7890' }] }), ['providers[0].proxy: must be a proxy URL such as http://127.0.0.1:7890 or socks5://127.0.0.1:1080'])
  t.same(issues({ providers: [autodl], telegram: { language: 'fr' } }), ['telegram.language: must be one of: "zh", "en"'])
  t.same(issues({ providers: [autodl], telegram: { token: '123:abc' } }),
    ['telegram: allowedUserIds must list at least one Telegram user id when token is set (the bot refuses everyone else and tells them their id)'])
  t.same(issues({ providers: [autodl], telegram: { token: 'nonsense', allowedUserIds: [1] } }), ['telegram.token: must be a bot token from @BotFather, like 123456789:AA…'])
  t.same(issues({ providers: [autodl], api: { apiKeys: ['short'] } }),
    ['api.apiKeys[0]: must be a key of at least 16 characters (openssl rand -hex 24)'])
  t.same(issues({ providers: [autodl], api: { apiKeys: [{ name: 'g', key: 'k'.repeat(20), scopes: ['write'] }] } }),
    ['api.apiKeys[0].scopes[0]: must be one of: "read", "control"'], 'a bad scope is named as such')
  t.same(issues({ providers: [autodl], api: { apiKeys: [42] } }),
    ['api.apiKeys[0]: must be a key of at least 16 characters (openssl rand -hex 24), or { "name", "key", "scopes": ["read", "control"] }'])
  t.same(issues({ providers: [autodl], api: { apiKeys: [{ name: 'g', key: 'k'.repeat(20), scopes: ['read'] }, { name: 'g', key: 'j'.repeat(20), scopes: ['control'] }] } }),
    ['api.apiKeys: the name "g" is used twice; names identify keys in the audit log'])
  t.same(issues({ providers: [autodl], notify: { webhooks: [{ url: 'ftp://x', events: ['release.soon'] }] } }), [
    'notify.webhooks[0].url: must match pattern "^https?://"',
    `notify.webhooks[0].events[0]: must be one of: "*", ${ALERT_EVENTS.map(e => `"${e}"`).join(', ')}`])
  t.same(issues({ providers: [{ ...autodl, keepAlive: { beforeHours: 12 } }] }), ['providers[0].keepAlive.enabled: is required'])
  t.same(issues({ providers: [autodl], alerts: { releaseLadderHours: [72, -1] } }), ['alerts.releaseLadderHours[1]: must be > 0'])
  t.same(issues({ providers: [autodl], api: { port: 70000 } }), ['api.port: must be <= 65535'])
  t.same(issues({ providers: [autodl], pollIntervalSeconds: '60' }), ['pollIntervalSeconds: must be an integer'])
  t.same(issues({ providers: [autodl], store: 'mysql://x' }), ['store: must be file:<path> or redis://host:port'])
})

t.test('API keys: plain strings become read-only keys with a name; objects keep their scopes', async t => {
  const config = parseConfig({ providers: [autodl], api: { apiKeys: ['p'.repeat(20), { name: 'ops', key: 'o'.repeat(20), scopes: ['read', 'control'] }] } }, { registry, alertRules: ALERT_RULES, env: {} })
  t.same(config.api.apiKeys, [{ name: 'key-1', key: 'p'.repeat(20), scopes: ['read'] }, { name: 'ops', key: 'o'.repeat(20), scopes: ['read', 'control'] }])
})

t.test('keepAlive is a key every entry may have; it reaches the entry config', async t => {
  const config = parseConfig({ providers: [{ ...autodl, keepAlive: { enabled: true } }] }, { registry, alertRules: ALERT_RULES, env: {} })
  t.same(config.providers[0]?.keepAlive, { enabled: true, beforeHours: 48 })
})

t.test('several problems are reported together', async t => {
  const list = issues({ providers: [{ ...autodl, phone: 1 }, { id: 'b', type: 'nope' }], telegram: { language: 'fr' } })
  t.equal(list.length, 3)
})

t.test('loadConfigFile: missing file, bad JSON with line and column, path in the title', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'cw-config-'))
  const missing = await loadConfigFile(join(dir, 'nope.json'), { registry, alertRules: ALERT_RULES }).catch(e => e)
  t.type(missing, ConfigError)
  t.match(missing.message, /nope\.json: not found; copy config\.example\.json/)
  const broken = join(dir, 'broken.json')
  await writeFile(broken, '{\n  "providers": [\n    { "id": "a", }\n  ]\n}\n')
  const bad = await loadConfigFile(broken, { registry, alertRules: ALERT_RULES }).catch(e => e)
  t.match(bad.message, /not valid JSON: .* at line 3, column \d+/)
  const wrong = join(dir, 'wrong.json')
  await writeFile(wrong, JSON.stringify({ providers: [{ ...autodl, phone: 1 }] }))
  const invalid = await loadConfigFile(wrong, { registry, alertRules: ALERT_RULES }).catch(e => e)
  t.match(invalid.message, `invalid config file ${wrong}:\n  - providers[0].phone: must be a string`)
  const good = join(dir, 'good.json')
  await writeFile(good, JSON.stringify({ providers: [autodl] }))
  t.equal((await loadConfigFile(good, { registry, alertRules: ALERT_RULES })).baseDir, dir, 'relative paths resolve against the file\'s folder')
})

t.test('config.example.json is valid', async t => {
  const env = {
    AUTODL_PASSWORD: 'x', TELEGRAM_BOT_TOKEN: '123456:ABC', GRAFANA_API_KEY: 'g'.repeat(32), OPS_API_KEY: 'o'.repeat(32), WEBHOOK_SECRET: 'w'.repeat(32), NEZHA_PASSWORD: 'n',
    COMPUTESHARE_PASSWORD: 'c', PTERODACTYL_CLIENT_KEY: `ptlc_${'a'.repeat(43)}`, BOARDMATE_API_KEY: 'b'.repeat(50),
    SMTP_PASSWORD: 'smtp-pass', WECOM_ROBOT_KEY: 'wecom-robot-key-0123'
  }
  const config = await loadConfigFile(new URL('../../config.example.json', import.meta.url).pathname, { registry, alertRules: ALERT_RULES, channelTypes: CHANNEL_TYPES, env })
  t.same(config.notify.channels.map(c => [c.type, c.name]), [['email', 'oncall-mail'], ['wecom', 'wecom']], 'an e-mail and a push channel')
  t.same(config.providers.map(p => p.type), ['autodl', 'nezha', 'computeshare', 'pterodactyl', 'boardmate'], 'an example entry per provider type (OneCloud is experimental)')
  t.ok(config.providers.every(p => p.failure === undefined))
})

t.test('pollIntervalSeconds per entry: its own, else its type\'s default, else the global; never below the type\'s minimum', async t => {
  const entries = [
    { id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw' },
    { id: 'fast', type: 'autodl', phone: '13800000001', password: 'pw', pollIntervalSeconds: 20 },
    { id: 'shop', type: 'boardmate', baseUrl: 'https://panel.example', apiKey: 'k'.repeat(50), discordUserId: '123456789012345678' },
    { id: 'shop2', type: 'boardmate', baseUrl: 'https://panel.example', apiKey: 'k'.repeat(50), discordUserId: '123456789012345678', pollIntervalSeconds: 300 }
  ]
  const config = parseConfig({ pollIntervalSeconds: 90, providers: entries }, { registry, alertRules: ALERT_RULES, env: {} })
  t.same(config.providers.map(p => [p.id, p.pollIntervalSeconds]), [['lab', 90], ['fast', 20], ['shop', 600], ['shop2', 300]])
  t.same(issues({ providers: [{ ...entries[2], pollIntervalSeconds: 30 }] }),
    ['providers[0].pollIntervalSeconds: at least 120 for boardmate (every API call appends an entry to the site\'s own log (BoardMate views/api.py), so a monitor must ask rarely)'])
})

t.test('webhooks are named once, at load: their own name, else webhook or webhook-<n>; a name used twice is refused', async t => {
  const parse = (webhooks: object[]) => parseConfig({ providers: [autodl], notify: { webhooks } }, { registry, alertRules: ALERT_RULES, env: {} }).notify.webhooks.map(w => w.name)
  t.same(parse([{ url: 'https://a.example/hook' }]), ['webhook'])
  t.same(parse([{ url: 'https://a.example/hook' }, { url: 'https://b.example/hook', name: 'ops' }, { url: 'https://c.example/hook' }]), ['webhook-1', 'ops', 'webhook-3'])
  t.same(issues({ providers: [autodl], notify: { webhooks: [{ url: 'https://a.example/hook', name: 'ops' }, { url: 'https://b.example/hook', name: 'ops' }] } }),
    ['notify.webhooks: the name "ops" is used twice; names tell webhooks apart in metrics and logs'])
})
