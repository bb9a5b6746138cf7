import type { FastifyPluginAsync } from 'fastify'
import type { Aggregator } from '../../core/aggregator.js'
import { NotFoundError } from '../../core/errors.js'
import { canSee, PUBLIC_VIEWER } from '../../core/visibility.js'
import type { AvailabilityHistory } from '../../money/history.js'

const fraction = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const

/** The history of one host (`$id: History`): see {@link AvailabilityHistory}. */
export const historySchema = {
  $id: 'History',
  type: 'object',
  additionalProperties: false,
  required: ['need', 'from', 'to', 'observedSeconds', 'available', 'byHour', 'week', 'bestHours', 'recent', 'averages'],
  properties: {
    need: { type: 'integer', description: 'GPUs that count as enough: the instance\'s requested GPUs (a market watch: its minIdle).' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    observedSeconds: { type: 'integer', description: 'Time observed in the last 30 days (the host was polled successfully).' },
    available: { ...fraction, description: 'Fraction of the observed time with at least `need` idle GPUs; null when nothing was observed.' },
    byHour: { type: 'array', minItems: 24, maxItems: 24, items: fraction, description: 'The fraction per hour of the day 0–23 in the host\'s zone (telegram.timeZone); null where never observed.' },
    week: { type: 'array', minItems: 7, maxItems: 7, items: { type: 'array', minItems: 24, maxItems: 24, items: fraction }, description: 'Per weekday (0 Monday … 6 Sunday) and hour.' },
    bestHours: {
      type: ['object', 'null'],
      required: ['from', 'to'],
      properties: { from: { type: 'integer' }, to: { type: 'integer', description: 'Exclusive, 1–24; smaller than from when the run passes midnight.' } }
    },
    recent: {
      type: 'array',
      description: 'The last 48 hours at poll resolution: each change; idle null starts a time nothing was observed.',
      items: { type: 'object', required: ['at', 'idle', 'total'], properties: { at: { type: 'string', format: 'date-time' }, idle: { type: ['integer', 'null'] }, total: { type: ['integer', 'null'] } } }
    },
    averages: {
      type: 'array',
      description: '10-minute averages over the 30 days, oldest first, where something was observed.',
      items: { type: 'object', required: ['at', 'idle', 'available'], properties: { at: { type: 'string', format: 'date-time' }, idle: { type: 'number' }, available: { type: 'number' } } }
    }
  }
} as const

/**
 * `GET /api/v1/instances/{provider}/{id}/history`: idle GPUs on the instance's host over 30 days
 * (what changed in the last 48 hours, 10-minute averages before, per weekday and hour);
 * `GET /api/v1/market/history`: the same for each `alerts.market` watch, by `<gpu>@<regions>`.
 */
export const historyRoutes: FastifyPluginAsync<{ history: AvailabilityHistory; aggregator: Aggregator }> = async (app, { history, aggregator }) => {
  app.get<{ Params: { provider: string; id: string } }>('/api/v1/instances/:provider/:id/history', {
    schema: {
      summary: 'Idle GPUs on the instance\'s host over the last 30 days',
      operationId: 'getInstanceHistory',
      tags: ['status'],
      params: { type: 'object', required: ['provider', 'id'], properties: { provider: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 } } },
      response: { 200: { $ref: 'History#' }, 404: { $ref: 'Error#' } }
    }
  }, async (request) => {
    const { provider, id } = request.params
    const visible = canSee(PUBLIC_VIEWER, provider) && aggregator.get(provider) !== undefined
    const report = visible ? await history.instance(provider, id) : undefined
    if (!report) throw new NotFoundError(`no history of "${id}" in ${provider}: unknown instance, or its provider does not count its host's GPUs`)
    return report
  })

  app.get('/api/v1/market/history', {
    schema: {
      summary: 'Idle GPUs of each watched market model over the last 30 days, by <gpu>@<regions>',
      operationId: 'getMarketHistory',
      tags: ['status'],
      response: { 200: { type: 'object', additionalProperties: { $ref: 'History#' } } }
    }
  }, async () => await history.market())
}
