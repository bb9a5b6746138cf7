import { NOT_POLLED_YET } from '../../core/errors.js'
import { relativeTime } from '../../present/format.js'
import type { EntryRuleContext, RuleContext } from '../context.js'
import { defineRule } from '../rule.js'

/**
 * Provider health: ONE alert when an entry has failed `providerFailuresBeforeAlert` polls in a row (a
 * login failure said as such), ONE when it recovers. Polls are counted by their `lastErrorAt`, not by
 * evaluations (every entry's poll triggers one).
 */
function providerHealth (ctx: RuleContext, settings: { providerFailuresBeforeAlert: number }): void {
  for (const p of ctx.snapshot.providers) {
    if (p.error?.code === NOT_POLLED_YET) continue
    const s = ctx.state.providers[p.id] ??= { lastErrorAt: null, failures: 0, alerted: false }
    if (p.ok) {
      if (s.alerted && !ctx.muted(p.id)) {
        ctx.emit({
          event: 'provider.recovered', rule: 'provider', provider: { id: p.id, type: p.type }, instance: null,
          text: ctx.text('alert.providerRecovered', () => ({ provider: p.id, type: p.type, count: p.instanceCount })), data: { instanceCount: p.instanceCount }
        })
      }
      ctx.state.providers[p.id] = { lastErrorAt: null, failures: 0, alerted: false }
      continue
    }
    if (p.lastErrorAt !== s.lastErrorAt) {
      s.failures++
      s.lastErrorAt = p.lastErrorAt
    }
    if (!s.alerted && s.failures >= settings.providerFailuresBeforeAlert) {
      s.alerted = true
      if (ctx.muted(p.id)) continue
      const login = p.error?.code === 'CW_ERR_PROVIDER_AUTH'
      ctx.emit({
        event: 'provider.failing', rule: 'provider', provider: { id: p.id, type: p.type }, instance: null,
        text: ctx.text(login ? 'alert.providerLogin' : 'alert.providerFailing', () => ({ provider: p.id, type: p.type, failures: s.failures, error: p.error?.message ?? '' })),
        data: { failures: s.failures, error: p.error, login }
      })
    }
  }
}

/**
 * Offline / back online (machines whose agents report: Nezha, OneCloud): an instance must stay
 * offline for `offlineAfterSeconds` before the alert, and online as long before "back online", so a
 * flapping agent does not spam. A flap shorter than that says nothing at all.
 */
function presence (ctx: EntryRuleContext, settings: { offlineAfterSeconds: number }): void {
  const sustainMs = settings.offlineAfterSeconds * 1000
  const now = ctx.now.getTime()
  const states = ctx.local.presence
  const seen = new Set<string>()
  for (const i of ctx.instances) {
    seen.add(i.id)
    const s = states[i.id]
    if (i.state === 'offline') {
      if (!s) states[i.id] = { kind: 'offline', since: ctx.now.toISOString(), alerted: false }
      else if (s.kind === 'online') states[i.id] = { kind: 'offline', since: ctx.now.toISOString(), alerted: true } // announced before, never recovered
      const current = states[i.id]!
      if (!current.alerted && now - Date.parse(current.since) >= sustainMs) {
        current.alerted = true
        if (ctx.muted(i.provider, i.id)) continue
        ctx.emit({
          event: 'instance.offline', rule: 'offline', provider: { id: i.provider, type: i.providerType }, instance: i,
          text: ctx.text('alert.offline', lang => ({
            name: i.name, provider: i.provider,
            lastSeen: i.lastSeenAt ? ctx.text('alert.lastSeen', l => ({ at: relativeTime(i.lastSeenAt!, ctx.now, l) }))[lang] : ''
          })),
          data: { lastSeenAt: i.lastSeenAt }
        })
      }
      continue
    }
    if (!s) continue
    if (s.kind === 'offline') {
      if (!s.alerted) delete states[i.id] // a flap: nothing was said, nothing to say
      else states[i.id] = { kind: 'online', since: ctx.now.toISOString(), alerted: true }
      continue
    }
    if (now - Date.parse(s.since) >= sustainMs) {
      delete states[i.id]
      if (ctx.muted(i.provider, i.id)) continue
      ctx.emit({
        event: 'instance.online', rule: 'offline', provider: { id: i.provider, type: i.providerType }, instance: i,
        text: ctx.text('alert.online', () => ({ name: i.name, provider: i.provider })), data: {}
      })
    }
  }
  // Instances that left the entry's list are forgotten.
  for (const id of Object.keys(states)) if (!seen.has(id)) delete states[id]
}

/** `provider.failing` / `provider.recovered`, after `alerts.providerFailuresBeforeAlert` failed polls in a row. */
export const providerRule = defineRule<{ providerFailuresBeforeAlert: number }>({
  name: 'provider',
  events: ['provider.failing', 'provider.recovered'],
  config: { providerFailuresBeforeAlert: { type: 'integer', minimum: 1, maximum: 100, default: 2 } },
  state: ['providers'],
  evaluate: providerHealth
})

/** `instance.offline` / `instance.online` of machines whose agents report, sustained for `alerts.offlineAfterSeconds`. */
export const offlineRule = defineRule<{ offlineAfterSeconds: number }>({
  name: 'offline',
  events: ['instance.offline', 'instance.online'],
  config: { offlineAfterSeconds: { type: 'integer', minimum: 0, maximum: 86400, default: 300 } },
  state: [],
  entryState: ['presence'],
  evaluateEntry: presence
})
