import { formatDuration } from '../../present/format.js'
import { oneInstance } from '../context.js'
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
    const instance = await oneInstance(ctx, query)
    if (!instance) return
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
