import type { Composer } from 'telegraf'
import type { BotCommand } from 'telegraf/types'
import type { Translate } from '../../present/i18n.js'
import type { BotContext } from '../context.js'

type CommandMiddleware = Parameters<Composer<BotContext>['command']>[1]
/** The context a command handler gets: the message, `ctx.args`, `ctx.payload`, the translator and the services. */
export type CommandCtx = Parameters<Extract<CommandMiddleware, (...args: never[]) => unknown>>[0]

/**
 * Who may use a command: every allowed user (`reader`), a reader whose target decides (`actor`:
 * operators, or the owner of the bot-added account the instance belongs to; checked by the handler,
 * per instance), or operators only (`operator`, checked before the handler runs).
 */
export type Audience = 'reader' | 'actor' | 'operator'

/** One bot command: the single place its name, audience and handler are declared (its menu line is `commands.<name>` in the locales). */
export interface BotCommandSpec {
  /** The command without the slash, e.g. `gpuvalid`. */
  name: string
  who: Audience
  /** Only in the menu when users may add their own accounts (`/user`, `/password`, `/forget`). */
  needsAccounts?: boolean
  handler (ctx: CommandCtx): Promise<unknown>
}

/** i18n key of a command's line in the menu and in `/help`. */
export function helpKey (spec: Pick<BotCommandSpec, 'name'>): string {
  return `commands.${spec.name}`
}

/** Register every command on `composer`; `operator` commands refuse everyone else before the handler. */
export function registerCommands (composer: Composer<BotContext>, specs: readonly BotCommandSpec[]): void {
  for (const spec of specs) {
    composer.command(spec.name, async (ctx) => {
      if (spec.who === 'operator' && !ctx.services.operators.has(ctx.from.id)) return await ctx.reply(ctx.t('power.notOperator', { userId: ctx.from.id }))
      return await spec.handler(ctx)
    })
  }
}

/** The command menu (`setMyCommands`), in the registry's order. */
export function commandMenu (specs: readonly BotCommandSpec[], t: Translate, accountsEnabled: boolean): BotCommand[] {
  return specs.filter(s => accountsEnabled || !s.needsAccounts).map(s => ({ command: s.name, description: t(helpKey(s)) }))
}

/** The `/start` and `/help` text: the menu, one line per command. */
export function helpText (specs: readonly BotCommandSpec[], t: Translate, accountsEnabled: boolean): string {
  const lines = [t('help.intro'), '', ...commandMenu(specs, t, accountsEnabled).map(c => `/${c.command} — ${c.description}`)]
  if (!accountsEnabled) lines.push('', t('help.accountsOff'))
  return lines.join('\n')
}
