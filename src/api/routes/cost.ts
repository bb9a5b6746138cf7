import type { FastifyPluginAsync } from 'fastify'
import { RequestValidationError } from '../../core/errors.js'
import { canSee, PUBLIC_VIEWER } from '../../core/visibility.js'
import type { CostGrouping, CostLedger } from '../../money/ledger.js'

const DAY = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A day, YYYY-MM-DD, in the host\'s time zone (`telegram.timeZone`).' }

/**
 * `GET /api/v1/cost?from=&to=&groupBy=provider|instance|day`: the running cost the host observed
 * (time running between polls × price per hour: an estimate at poll resolution), in yuan.
 */
export const costRoutes: FastifyPluginAsync<{ ledger: CostLedger }> = async (app, { ledger }) => {
  app.get<{ Querystring: { from?: string; to?: string; groupBy: CostGrouping } }>('/api/v1/cost', {
    schema: {
      summary: 'Running cost observed by the host (an estimate at poll resolution), in yuan',
      operationId: 'getCost',
      tags: ['status'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          from: { ...DAY, description: 'First day included (default: the first of this month).' },
          to: { ...DAY, description: 'Last day included (default: today).' },
          groupBy: { type: 'string', enum: ['provider', 'instance', 'day'], default: 'provider' }
        }
      },
      response: {
        200: {
          $id: 'CostReport',
          type: 'object',
          required: ['from', 'to', 'groupBy', 'currency', 'estimate', 'totalYuan', 'rows'],
          properties: {
            from: { type: 'string' },
            to: { type: 'string' },
            groupBy: { type: 'string', enum: ['provider', 'instance', 'day'] },
            currency: { type: 'string', const: 'CNY' },
            estimate: { type: 'boolean', const: true, description: 'Always true: observed at poll resolution, not the provider\'s bill.' },
            totalYuan: { type: 'number' },
            rows: {
              type: 'array',
              items: {
                type: 'object',
                required: ['provider', 'yuan'],
                properties: {
                  provider: { type: 'string', description: 'The provider entry; `*` in rows grouped by day.' },
                  instanceId: { type: 'string' },
                  name: { type: 'string' },
                  day: { type: 'string' },
                  yuan: { type: 'number' }
                }
              }
            }
          }
        }
      }
    }
  }, async (request) => {
    const from = request.query.from ?? ledger.monthStart()
    const to = request.query.to ?? ledger.today()
    if (from > to) throw new RequestValidationError(`querystring/from (${from}) is after querystring/to (${to})`)
    const rows = await ledger.report({ from, to }, request.query.groupBy, id => canSee(PUBLIC_VIEWER, id))
    return { from, to, groupBy: request.query.groupBy, currency: 'CNY', estimate: true, totalYuan: Math.round(rows.reduce((sum, r) => sum + r.yuan, 0) * 100) / 100, rows }
  })
}
