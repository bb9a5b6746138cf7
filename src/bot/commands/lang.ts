import type { Language } from '../../present/i18n.js'
import type { BotCommandSpec } from './registry.js'

const CHOICES: Record<string, Language | null> = { zh: 'zh', en: 'en', auto: null }

/**
 * `/lang zh|en|auto`: the language the bot answers this user in, and sends their alerts in; `auto`
 * goes back to their Telegram app's language. Without an argument it says which one is in use.
 */
export const langCommands: readonly BotCommandSpec[] = [
  {
    name: 'lang',
    who: 'reader',
    async handler (ctx) {
      const [arg] = ctx.args
      if (arg === undefined) return await ctx.reply(ctx.t('lang.current', { language: ctx.t(`lang.names.${ctx.language}`) }))
      const choice = CHOICES[arg.toLowerCase()]
      if (choice === undefined) return await ctx.reply(ctx.t('lang.usage'))
      const { languages } = ctx.services
      await languages.choose(ctx.from.id, choice)
      const language = await languages.get(ctx.from.id)
      const t = ctx.services.translators[language]
      return await ctx.reply(t(choice === null ? 'lang.auto' : 'lang.set', { language: t(`lang.names.${language}`) }))
    }
  }
]
