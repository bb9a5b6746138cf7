import t from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { emptyEntryState, emptyState } from '../../src/alerts/context.js'
import { defineRule } from '../../src/alerts/rule.js'
import { ALERT_EVENTS, ALERT_RULES } from '../../src/alerts/rules/index.js'
import { parseConfig } from '../../src/config/load.js'
import { rootSchema } from '../../src/config/schema.js'
import { ConfigError } from '../../src/core/errors.js'
import { createRegistry } from '../../src/core/registry.js'

const registry = createRegistry(builtinProviders)
const minimal = { providers: [{ id: 'lab', type: 'autodl', token: 'pasted-token-123' }] }

t.test('the alerts section is made of what the rules declare: settings with defaults, chat ids per rule, events', async t => {
  const config = parseConfig(minimal, { registry, alertRules: ALERT_RULES, env: {} })
  for (const rule of ALERT_RULES) {
    for (const [key, schema] of Object.entries(rule.config ?? {})) t.same(config.alerts[key], schema['default'], `${rule.name}: ${key} defaults`)
  }
  const chatIds = Object.fromEntries(ALERT_RULES.map(r => [r.name, [-1]]))
  t.same(parseConfig({ ...minimal, alerts: { chatIds } }, { registry, alertRules: ALERT_RULES, env: {} }).alerts.chatIds, chatIds, 'a chat list per rule name')
  t.same(ALERT_EVENTS, ['provider.failing', 'provider.recovered', 'instance.offline', 'instance.online', 'gpu.freed', 'release.approaching',
    'keepalive.succeeded', 'keepalive.failed', 'expiry.approaching', 'balance.low', 'budget.reached', 'cost.daily', 'timer.warning', 'timer.stopped', 'timer.failed', 'market.available', 'action.finished'])
  t.same(parseConfig({ ...minimal, notify: { webhooks: [{ url: 'http://x.test', events: [...ALERT_EVENTS] }] } }, { registry, alertRules: ALERT_RULES, env: {} })
    .notify.webhooks[0]!.events, ALERT_EVENTS, 'every declared event may be subscribed to')
})

t.test('a rule added to the list brings its own setting, chat key and event; without it they are unknown', async t => {
  const extra = defineRule<{ quietHours: number }>({ name: 'quiet', events: ['quiet.started'], config: { quietHours: { type: 'integer', minimum: 1, default: 8 } }, state: [] })
  const withExtra = parseConfig({ ...minimal, alerts: { chatIds: { quiet: [1] } }, notify: { webhooks: [{ url: 'http://x.test', events: ['quiet.started'] }] } },
    { registry, alertRules: [...ALERT_RULES, extra], env: {} })
  t.equal(withExtra.alerts['quietHours'], 8)
  const without = (() => { try { parseConfig({ ...minimal, alerts: { quietHours: 2 } }, { registry, alertRules: ALERT_RULES, env: {} }) } catch (err) { return err } })()
  t.type(without, ConfigError)
  t.match((without as ConfigError).issues[0], /^alerts\.quietHours: unknown key/)
  t.throws(() => rootSchema([extra, extra]), /declared twice/)
})

t.test('the stored state is made of the parts the rules own: across entries, and per entry', async t => {
  const owned = new Set(ALERT_RULES.flatMap(r => r.state))
  t.same(Object.keys(emptyState(ALERT_RULES)).sort(), [...owned].sort())
  t.same([...owned].sort(), ['budgets', 'daily', 'providers'])
  const perEntry = new Set(ALERT_RULES.flatMap(r => r.entryState ?? []))
  t.same(Object.keys(emptyEntryState(ALERT_RULES)).sort(), [...perEntry].sort())
  t.same([...perEntry].sort(), ['fired', 'keepAlive', 'presence'])
})
