import type { FastifyInstance } from 'fastify'
import type { Aggregator } from '../../core/aggregator.js'
import { hasIdleGpus, type Instance } from '../../core/instance.js'
import { errorResponses, instancesQuerySchema, snapshotResponseSchema, type InstancesQuery } from '../schemas.js'

/** The view the API shows: entries owned by a Telegram user are theirs alone. */
const API_VIEWER = {}

/** `GET /api/v1/instances` and `GET /api/v1/providers`. */
export function instanceRoutes (app: FastifyInstance, aggregator: Aggregator): void {
  app.get<{ Querystring: InstancesQuery }>('/api/v1/instances', {
    schema: {
      summary: 'Every instance of every provider, with each provider\'s health',
      tags: ['status'],
      querystring: instancesQuerySchema,
      response: { 200: snapshotResponseSchema, ...errorResponses }
    }
  }, async (request) => {
    const view = aggregator.view(API_VIEWER)
    const q = request.query
    const keep = (i: Instance): boolean =>
      (q.provider === undefined || i.provider === q.provider) &&
      (q.type === undefined || i.providerType === q.type) &&
      (q.state === undefined || i.state === q.state) &&
      (q.gpuIdle === undefined || hasIdleGpus(i) === q.gpuIdle)
    return { generatedAt: view.generatedAt, instances: view.instances.filter(keep), providers: view.providers }
  })

  app.get('/api/v1/providers', {
    schema: {
      summary: 'Health of every provider entry',
      tags: ['status'],
      response: { 200: { type: 'array', items: { $ref: 'ProviderStatus#' } }, ...errorResponses }
    }
  }, async () => aggregator.view(API_VIEWER).providers)
}
