import type { MiddlewareFn } from 'telegraf'
import type { BotContext } from './context.js'

/** A refused user hears the refusal again only after this long (so the bot is no oracle nor spam source). */
export const REFUSAL_INTERVAL_MS = 3600_000
/** Refusal times kept at most (old ones are dropped first). */
const MAX_TRACKED = 10_000

/**
 * Let only `allowedUserIds` through. Anyone else gets ONE refusal that shows their own user id (so the
 * owner can add it) and nothing more; their further updates within {@link REFUSAL_INTERVAL_MS} are
 * ignored. Callback queries from strangers are answered silently.
 */
export function allowOnly (allowedUserIds: readonly number[]): MiddlewareFn<BotContext> {
  const allowed = new Set(allowedUserIds)
  const refusedAt = new Map<number, number>()
  return async (ctx, next) => {
    const userId = ctx.from?.id
    if (userId !== undefined && allowed.has(userId)) return await next()
    if (userId === undefined) return
    ctx.services.log.info({ userId }, 'refused a user who is not in telegram.allowedUserIds')
    // A password sent by anyone is removed from the chat, even when the sender is refused.
    if (ctx.message && 'text' in ctx.message && /^\/password(@\w+)?(\s|$)/.test(ctx.message.text)) await ctx.deleteMessage().catch(() => {})
    if (ctx.callbackQuery) {
      await ctx.answerCbQuery().catch(() => {})
      return
    }
    const now = ctx.services.now().getTime()
    const last = refusedAt.get(userId)
    if (last !== undefined && now - last < REFUSAL_INTERVAL_MS) return
    refusedAt.delete(userId)
    refusedAt.set(userId, now)
    if (refusedAt.size > MAX_TRACKED) refusedAt.delete(refusedAt.keys().next().value!)
    if (ctx.chat) await ctx.reply(ctx.t('refused', { userId }))
  }
}
