import { marketHostLines } from '../../present/format.js'
import type { BotCommandSpec } from './registry.js'

/** A region code as AutoDL writes it: `west-B`, `beijing-E`, `chongqing-A`. */
const REGION_CODE = /^[a-z]+-[a-z0-9]+$/i

/**
 * `/market <GPU model> [region code…]`: the provider's GPU market now (AutoDL's, read-only): idle and
 * total GPUs of that model over the regions, and the cheapest hosts with idle GPUs. Without regions,
 * those `alerts.market` watches for the model name.
 */
export const marketCommands: readonly BotCommandSpec[] = [{
  name: 'market',
  who: 'reader',
  async handler (ctx) {
    const args = [...ctx.args]
    const regions: string[] = []
    while (args.length > 1 && REGION_CODE.test(args.at(-1)!)) regions.unshift(args.pop()!)
    const gpu = args.join(' ')
    if (!gpu) return await ctx.reply(ctx.t('market.usage'))
    const asked = regions.length > 0 ? regions : ctx.services.market.regionsOf(gpu)
    if (asked.length === 0) return await ctx.reply(`${ctx.t('market.noRegions')}\n${ctx.t('market.usage')}`)
    try {
      const answer = await ctx.services.market.ask({ gpu, regions: asked, viewer: { telegramUserId: ctx.from.id } })
      const where = asked.join(', ')
      if (answer.idle === null) return await ctx.reply(ctx.t('market.notListed', { gpu, regions: where }))
      const lines = [ctx.t('market.counts', { gpu: answer.gpu, regions: where, idle: answer.idle, total: answer.total ?? '?' })]
      lines.push(answer.hosts.length > 0 ? ctx.t('alert.marketHosts', { lines: marketHostLines(answer.hosts) }) : ctx.t('market.noHosts'))
      await ctx.reply(lines.join('\n'))
    } catch (err) {
      await ctx.reply(ctx.t('market.failed', { error: (err as Error).message }))
    }
  }
}]
