import { formatDuration, formatTime } from '../../present/format.js'
import type { Instance } from '../../core/instance.js'
import { canKeepAlive } from '../../core/provider.js'
import { HOUR_MS, type EntryRuleContext } from '../context.js'
import { defineRule } from '../rule.js'

const hoursLadder = { type: 'array', items: { type: 'number', exclusiveMinimum: 0, maximum: 8760 }, uniqueItems: true, maxItems: 10 }

/**
 * Ladder alerts before a deadline: when the time left first drops below one of `hours` (e.g. 72, 24, 6),
 * ONE alert for the most urgent point reached; points already passed are marked too, so a late start
 * or a restart never fires a burst, and nothing fires twice for the same deadline. A new deadline (a
 * new stop, a renewed rental) starts a new ladder. A muted target stays quiet (its points are marked).
 */
function ladder (ctx: EntryRuleContext, instance: Instance, deadline: string, hours: readonly number[], prefix: string): number | null {
  const leftHours = (Date.parse(deadline) - ctx.now.getTime()) / HOUR_MS
  const reached = hours.filter(h => leftHours <= h)
  if (reached.length === 0) return null
  const point = Math.min(...reached)
  const fired = (h: number): string => `${prefix}:${instance.id}@${deadline}:${h}`
  if (ctx.local.fired[fired(point)] !== undefined) return null
  for (const h of reached) ctx.local.fired[fired(h)] ??= ctx.now.toISOString()
  return ctx.muted(instance.provider, instance.id) ? null : point
}

/** Release ladder: every shut-down instance with a release date (AutoDL: 15 days after the stop), with a [Keep alive] button. */
function releaseLadder (ctx: EntryRuleContext, settings: { releaseLadderHours: number[] }): void {
  const keepAlive = canKeepAlive(ctx.aggregator.get(ctx.entry.id)?.provider.capabilities)
  for (const i of ctx.instances) {
    if (i.state !== 'stopped' || i.releaseAt === null) continue
    const point = ladder(ctx, i, i.releaseAt, settings.releaseLadderHours, 'release')
    if (point === null) continue
    const left = Date.parse(i.releaseAt) - ctx.now.getTime()
    ctx.emit({
      event: 'release.approaching', rule: 'release', provider: { id: i.provider, type: i.providerType }, instance: i,
      text: ctx.text(left > 0 ? 'alert.release' : 'alert.releasePassed', lang => ({
        name: i.name, provider: i.provider, left: formatDuration(left, lang), releaseAt: formatTime(i.releaseAt!, ctx.timeZone)
      })),
      buttons: keepAlive && left > 0
        ? [{ label: ctx.text('alert.keepAliveButton', () => ({})), payload: { do: 'pick', verb: 'keepalive', provider: i.provider, instanceId: i.id } }]
        : [],
      data: { hoursBefore: point, releaseAt: i.releaseAt, hoursLeft: Math.round(left / HOUR_MS * 10) / 10 }
    })
  }
}

/** Expiry ladder: rentals with an end (computeshare `expiresAt`). */
function expiryLadder (ctx: EntryRuleContext, settings: { expiryLadderHours: number[] }): void {
  for (const i of ctx.instances) {
    if (i.expiresAt === null) continue
    const point = ladder(ctx, i, i.expiresAt, settings.expiryLadderHours, 'expiry')
    if (point === null) continue
    const left = Date.parse(i.expiresAt) - ctx.now.getTime()
    ctx.emit({
      event: 'expiry.approaching', rule: 'expiry', provider: { id: i.provider, type: i.providerType }, instance: i,
      text: ctx.text(left > 0 ? 'alert.expiry' : 'alert.expired', lang => ({
        name: i.name, provider: i.provider, left: formatDuration(left, lang), expiresAt: formatTime(i.expiresAt!, ctx.timeZone)
      })),
      data: { hoursBefore: point, expiresAt: i.expiresAt, hoursLeft: Math.round(left / HOUR_MS * 10) / 10 }
    })
  }
}

/** `release.approaching` at `alerts.releaseLadderHours` before a stopped instance's release. */
export const releaseRule = defineRule<{ releaseLadderHours: number[] }>({
  name: 'release',
  events: ['release.approaching'],
  config: { releaseLadderHours: { ...hoursLadder, default: [72, 24, 6] } },
  state: [],
  entryState: ['fired'],
  evaluateEntry: releaseLadder
})

/** `expiry.approaching` at `alerts.expiryLadderHours` before a rental ends. */
export const expiryRule = defineRule<{ expiryLadderHours: number[] }>({
  name: 'expiry',
  events: ['expiry.approaching'],
  config: { expiryLadderHours: { ...hoursLadder, default: [72, 24] } },
  state: [],
  entryState: ['fired'],
  evaluateEntry: expiryLadder
})
