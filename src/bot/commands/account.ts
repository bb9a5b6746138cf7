import { accountEntryId, type UserAccounts } from '../../core/accounts.js'
import { TooManyAttemptsError } from '../../core/errors.js'
import { formatTime } from '../../present/format.js'
import type { BotContext } from '../context.js'
import type { BotCommandSpec } from './registry.js'

const PHONE = /^[0-9]{5,20}$/
const PHONE_AREA = /^\+[0-9]{1,4}$/

/**
 * `/user <phone> [area]`, `/password <password>` (seed 000) and `/forget`: a user's own login of the
 * provider type that declares `chatAccounts` (AutoDL). The password message is deleted as soon as it
 * is read, and only the type's hash of it is stored. Once both are
 * set the account joins the host as provider `tg-<userId>`, visible to that user alone.
 */
export const accountCommands: readonly BotCommandSpec[] = [
  {
    name: 'user',
    who: 'reader',
    needsAccounts: true,
    async handler (ctx) {
      const accounts = await usable(ctx)
      if (!accounts) return
      const [phone, area = '+86', ...rest] = ctx.args
      if (phone === undefined || rest.length > 0) return await ctx.reply(ctx.t('user.usage'))
      if (!PHONE.test(phone) || !PHONE_AREA.test(area)) return await ctx.reply(ctx.t('user.invalid'))
      const saved = await limited(ctx, accounts.setPhone(ctx.from.id, phone, area))
      if (!saved) return
      const { complete } = saved
      await ctx.reply(ctx.t(complete ? 'user.savedComplete' : 'user.saved', { phone: `${area} ${phone}` }))
      if (complete) await reportAccount(ctx)
    }
  },
  {
    name: 'password',
    who: 'reader',
    needsAccounts: true,
    async handler (ctx) {
      // Delete first, whatever happens next: the text is a password.
      const deleted = await ctx.deleteMessage().then(() => true, () => false)
      if (ctx.chat.type !== 'private') return await ctx.reply(ctx.t('password.group'))
      const accounts = await usable(ctx)
      if (!accounts) return
      const password = ctx.payload
      if (!password) return await ctx.reply(ctx.t('password.usage'))
      const saved = await limited(ctx, accounts.setPassword(ctx.from.id, password))
      if (!saved) return
      const { complete } = saved
      await ctx.reply(ctx.t(deleted ? 'password.deleted' : 'password.deleteFailed'))
      if (complete) await reportAccount(ctx)
      else await ctx.reply(ctx.t('password.needPhone'))
    }
  },
  {
    name: 'forget',
    who: 'reader',
    needsAccounts: true,
    async handler (ctx) {
      const accounts = await usable(ctx)
      if (!accounts) return
      const existed = await accounts.forget(ctx.from.id)
      await ctx.reply(existed ? ctx.t('account.forgotten', { provider: accountEntryId(ctx.from.id) }) : ctx.t('account.none'))
    }
  }
]

/** The result, or null after telling the user that the login limit refused it and when to try again. */
async function limited<T> (ctx: BotContext, change: Promise<T>): Promise<T | null> {
  try {
    return await change
  } catch (err) {
    if (!(err instanceof TooManyAttemptsError)) throw err
    const why = ctx.t(err.limit === 'per-phone' ? 'account.perPhone' : 'account.perUser')
    await ctx.reply(ctx.t('account.tooMany', { why, at: formatTime(err.retryAt.toISOString(), ctx.timeZone) }))
    return null
  }
}

/** The accounts service if this chat may manage an account; otherwise says why and returns null. */
async function usable (ctx: BotContext): Promise<UserAccounts | null> {
  const accounts = ctx.services.accounts
  if (!accounts) {
    await ctx.reply(ctx.t('account.disabled'))
    return null
  }
  if (ctx.chat?.type !== 'private') {
    await ctx.reply(ctx.t('account.privateOnly'))
    return null
  }
  return accounts
}

/** Poll the user's new entry once and say whether it works. */
async function reportAccount (ctx: BotContext): Promise<void> {
  const provider = accountEntryId(ctx.from!.id)
  await ctx.reply(ctx.t('account.checking'))
  const [status] = await ctx.services.aggregator.refresh(provider)
  if (status?.ok) await ctx.reply(ctx.t('account.ok', { provider, count: status.instanceCount }))
  else await ctx.reply(ctx.t('account.failed', { provider, error: status?.error?.message ?? '' }))
}
