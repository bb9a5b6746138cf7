import { matchInstances } from '../../core/match.js'
import { formatDuration, instanceLabel } from '../../present/format.js'
import { viewFor } from '../context.js'
import type { BotCommandSpec } from './registry.js'

const hh = (hour: number): string => `${String(hour % 24).padStart(2, '0')}:00`

/**
 * `/history <instance>`: how often the instance's host had the GPUs it needs idle over the last 30
 * days (of the time observed), and the best hours of the day, in the host's zone.
 */
export const historyCommands: readonly BotCommandSpec[] = [{
  name: 'history',
  who: 'reader',
  async handler (ctx) {
    const query = ctx.payload.trim()
    if (!query) return await ctx.reply(ctx.t('history.usage'))
    const found = matchInstances(viewFor(ctx).instances, query)
    if (found.length === 0) return await ctx.reply(ctx.t('power.noMatch', { query }))
    if (found.length > 1) return await ctx.reply(`${ctx.t('watch.ambiguous', { query })}\n${found.slice(0, 20).map(i => `• ${instanceLabel(i)} (${i.provider}, ${i.id})`).join('\n')}`)
    const instance = found[0]!
    const report = await ctx.services.history.instance(instance.provider, instance.id)
    if (!report || report.available === null) return await ctx.reply(ctx.t('history.none', { name: instance.name }))
    const args = {
      name: instance.name, need: report.need, percent: Math.round(report.available * 100), observed: formatDuration(report.observedSeconds * 1000, ctx.language)
    }
    const lines = [ctx.t('history.summary', args)]
    lines.push(report.bestHours === null
      ? ctx.t('history.never')
      : report.bestHours.from === 0 && report.bestHours.to === 24 ? ctx.t('history.anyHour') : ctx.t('history.best', { from: hh(report.bestHours.from), to: hh(report.bestHours.to) }))
    await ctx.reply(lines.join('\n'))
  }
}]
