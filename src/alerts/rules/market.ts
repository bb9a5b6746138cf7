import type { MarketEvent, MarketWatchConfig } from '../../money/market.js'
import { marketHostLines } from '../../present/format.js'
import { defineRule } from '../rule.js'

/**
 * `market.available`: a model watched in `alerts.market` has at least `minIdle` idle GPUs over its regions
 * on the provider's market (AutoDL's, read every `alerts.marketIntervalSeconds`), once until they fell
 * below again; with the cheapest hosts that have idle GPUs. Read-only: nothing is rented.
 */
export const marketRule = defineRule<{ market: MarketWatchConfig[]; marketIntervalSeconds: number }>({
  name: 'market',
  events: ['market.available'],
  config: {
    market: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['gpu', 'regions'],
        properties: {
          gpu: { type: 'string', minLength: 1, maxLength: 60, description: 'GPU model as the market names it, e.g. "RTX 4090".' },
          regions: { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 40 }, description: 'Region codes (AutoDL region_sign, e.g. "west-B"), counted together.' },
          minIdle: { type: 'integer', minimum: 1, maximum: 10_000, default: 1 },
          provider: { type: 'string', minLength: 1, description: 'The entry whose market is read; default: the first that has one.' }
        }
      }
    },
    marketIntervalSeconds: { type: 'integer', minimum: 60, maximum: 86_400, default: 300 }
  },
  state: [],
  marketEvent (event: MarketEvent, ctx) {
    const { reading, hosts } = event
    const summary = ctx.text('alert.marketAvailable', () => ({
      gpu: reading.watch.gpu, idle: reading.idle, total: reading.total, regions: reading.watch.regions.join(', '), min: reading.watch.minIdle
    }))
    const listed = ctx.text('alert.marketHosts', () => ({ lines: marketHostLines(hosts) }))
    ctx.emit({
      event: 'market.available', rule: 'market', provider: { id: reading.provider, type: event.providerType }, instance: null,
      text: hosts.length === 0 ? summary : { zh: `${summary.zh}\n${listed.zh}`, en: `${summary.en}\n${listed.en}` },
      data: { gpu: reading.watch.gpu, regions: reading.watch.regions, minIdle: reading.watch.minIdle, idle: reading.idle, total: reading.total, hosts }
    })
  }
})
