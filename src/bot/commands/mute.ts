import { parseMuteDuration, resolveMuteTarget } from '../../alerts/mutes.js'
import { describeActor, type AuditEntry } from '../../audit/log.js'
import { canAct, replyUserError, viewFor, type BotContext } from '../context.js'
import { formatTime } from '../../present/format.js'
import type { BotCommandSpec } from './registry.js'

const AUDIT_LINES = 15

/**
 * `/mute <provider|instance> <duration>` (no argument: the active mutes), `/unmute <provider|instance>`,
 * and `/audit` — for users who may act on the target (operators, or the owner of a bot-added account).
 */
export const muteCommands: readonly BotCommandSpec[] = [
  {
    name: 'mute',
    who: 'actor',
    async handler (ctx) {
      const { services } = ctx
      if (ctx.args.length === 0) {
        const mutes = await services.mutes.list({ telegramUserId: ctx.from.id })
        if (mutes.length === 0) return void await ctx.reply(ctx.t('mute.none'))
        return void await ctx.reply([ctx.t('mute.list'), ...mutes.map(m => ctx.t('mute.item', { target: m.label, until: formatTime(m.until, ctx.timeZone), by: m.by }))].join('\n'))
      }
      if (ctx.args.length !== 2) return void await ctx.reply(ctx.t('mute.usage'))
      const [name, duration] = ctx.args as [string, string]
      try {
        const target = resolveMuteTarget(viewFor(ctx), name)
        if (!canAct(services, ctx.from.id, target.provider)) return void await ctx.reply(ctx.t('power.notOperator', { userId: ctx.from.id }))
        const durationMs = parseMuteDuration(duration)
        const actor = { kind: 'telegram' as const, userId: ctx.from.id, name: ctx.from.username }
        const mute = await services.mutes.add({ target, label: name, durationMs, by: describeActor(actor) })
        await services.audit.append({ actor, action: 'mute', target: { provider: target.provider, instanceId: target.instanceId, name }, result: 'succeeded', detail: `until ${mute.until}` })
        await ctx.reply(ctx.t('mute.set', { target: name, until: formatTime(mute.until, ctx.timeZone) }))
      } catch (err) {
        await replyUserError(ctx, err)
      }
    }
  },
  {
    name: 'unmute',
    who: 'actor',
    async handler (ctx) {
      const { services } = ctx
      const name = ctx.payload.trim()
      if (!name) return void await ctx.reply(ctx.t('mute.usage'))
      const mutes = (await services.mutes.list({ telegramUserId: ctx.from.id })).filter(m => canAct(services, ctx.from.id, m.target.provider))
      let matching = mutes.filter(m => m.label === name)
      if (matching.length === 0) {
        try {
          const target = resolveMuteTarget(viewFor(ctx), name)
          matching = mutes.filter(m => m.target.provider === target.provider && m.target.instanceId === target.instanceId)
        } catch { /* nothing by that name */ }
      }
      if (matching.length === 0) return void await ctx.reply(ctx.t('mute.notMuted', { target: name }))
      if (!matching.every(m => canAct(services, ctx.from.id, m.target.provider))) return void await ctx.reply(ctx.t('power.notOperator', { userId: ctx.from.id }))
      for (const m of matching) await services.mutes.remove(m.id)
      await services.audit.append({ actor: { kind: 'telegram', userId: ctx.from.id }, action: 'unmute', target: { provider: matching[0]!.target.provider, name }, result: 'succeeded' })
      await ctx.reply(ctx.t('mute.removed', { count: matching.length }))
    }
  },
  {
    name: 'audit',
    who: 'operator',
    async handler (ctx) {
      const { services } = ctx
      // What this operator may act on: the configured entries and their own bot-added account, not other users'.
      const entries = await services.audit.list({ visible: id => id === '' ? services.operators.has(ctx.from.id) : canAct(services, ctx.from.id, id), limit: AUDIT_LINES })
      if (entries.length === 0) return void await ctx.reply(ctx.t('audit.empty'))
      await ctx.reply(entries.map(e => auditLine(ctx, e)).join('\n'))
    }
  }
]

function auditLine (ctx: BotContext, e: AuditEntry): string {
  const target = [e.target.provider, e.target.name ?? e.target.instanceId].filter(Boolean).join('/')
  return ctx.t('audit.line', { at: formatTime(e.at, ctx.timeZone), actor: describeActor(e.actor), action: e.action, target, result: e.result, detail: e.detail ? ` (${e.detail})` : '' })
}
