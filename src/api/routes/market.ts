import type { FastifyPluginAsync } from 'fastify'
import { RequestValidationError } from '../../core/errors.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import type { MarketWatch } from '../../money/market.js'

/**
 * `GET /api/v1/market?gpu=RTX 4090&regions=west-B,west-C[&provider=]`: a provider's GPU market now
 * (AutoDL's, read-only): idle and total GPUs of the model over the regions, and the cheapest hosts
 * with idle GPUs. Without `regions`, those the `alerts.market` watches name for the model.
 */
export const marketRoutes: FastifyPluginAsync<{ market: MarketWatch }> = async (app, { market }) => {
  app.get<{ Querystring: { gpu: string; regions?: string; provider?: string } }>('/api/v1/market', {
    schema: {
      summary: 'The GPU market now (read-only): idle GPUs of a model over regions, and hosts with idle GPUs',
      operationId: 'getMarket',
      tags: ['status'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['gpu'],
        properties: {
          gpu: { type: 'string', minLength: 1, maxLength: 60, description: 'GPU model as the market names it, e.g. "RTX 4090".' },
          regions: { type: 'string', pattern: '^[A-Za-z0-9-]+(,[A-Za-z0-9-]+){0,19}$', description: 'Region codes, comma-separated (AutoDL region_sign, e.g. "west-B,west-C").' },
          provider: { type: 'string', minLength: 1, description: 'The entry whose market is read; default: the first that has one.' }
        }
      },
      response: {
        200: {
          $id: 'MarketAnswer',
          type: 'object',
          additionalProperties: false,
          required: ['provider', 'gpu', 'regions', 'idle', 'total', 'hosts'],
          properties: {
            provider: { type: 'string' },
            gpu: { type: 'string' },
            regions: { type: 'array', items: { type: 'string' } },
            idle: { type: ['integer', 'null'], description: 'Null when the model is not on the market in those regions.' },
            total: { type: ['integer', 'null'] },
            hosts: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['machineId', 'name', 'region', 'regionCode', 'gpu', 'idle', 'pricePerGpuHour'],
                properties: {
                  machineId: { type: 'string' }, name: { type: 'string' }, region: { type: ['string', 'null'] }, regionCode: { type: ['string', 'null'] },
                  gpu: { type: 'string' }, idle: { type: 'integer' }, pricePerGpuHour: { type: ['number', 'null'], description: 'Yuan per GPU-hour.' }
                }
              }
            }
          }
        },
        404: { $ref: 'Error#' },
        501: { $ref: 'Error#' },
        502: { $ref: 'Error#' }
      }
    }
  }, async (request) => {
    const { gpu, provider } = request.query
    const regions = request.query.regions?.split(',') ?? market.regionsOf(gpu)
    if (regions.length === 0) throw new RequestValidationError('querystring/regions: name the region codes (e.g. west-B,west-C); no alerts.market watch names any')
    return await market.ask({ gpu, regions, provider, viewer: PUBLIC_VIEWER })
  })
}
