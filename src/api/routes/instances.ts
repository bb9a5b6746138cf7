import type { FastifyPluginAsync } from 'fastify'
import type { Aggregator } from '../../core/aggregator.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import { hasIdleGpus, type Instance } from '../../core/instance.js'
import { instancesQuerySchema, type InstancesQuery } from '../schemas.js'
import type { SnapshotCache } from '../snapshot-cache.js'


/**
 * `GET /api/v1/instances` and `GET /api/v1/providers`. A body is serialized through the route's
 * response schema once per snapshot and query, then reused until the next poll changes the view.
 */
export const instanceRoutes: FastifyPluginAsync<{ aggregator: Aggregator; cache: SnapshotCache }> = async (app, { aggregator, cache }) => {
  app.get<{ Querystring: InstancesQuery }>('/api/v1/instances', {
    schema: {
      summary: 'Every instance of every provider, with each provider\'s health',
      operationId: 'listInstances',
      tags: ['status'],
      querystring: instancesQuerySchema,
      response: { 200: { $ref: 'InstanceList#' } }
    }
  }, (request, reply) => {
    const q = request.query
    reply.type('application/json; charset=utf-8')
    return cache.body(`instances ${q.provider} ${q.type} ${q.state} ${q.gpuIdle}`, () => {
      const view = aggregator.view(PUBLIC_VIEWER)
      const keep = (i: Instance): boolean =>
        (q.provider === undefined || i.provider === q.provider) &&
        (q.type === undefined || i.providerType === q.type) &&
        (q.state === undefined || i.state === q.state) &&
        (q.gpuIdle === undefined || hasIdleGpus(i) === q.gpuIdle)
      return reply.serialize({ generatedAt: view.generatedAt, instances: view.instances.filter(keep), providers: view.providers }) as string
    })
  })

  app.get('/api/v1/providers', {
    schema: {
      summary: 'Health of every provider entry',
      operationId: 'listProviders',
      tags: ['status'],
      response: { 200: { type: 'array', items: { $ref: 'ProviderStatus#' } } }
    }
  }, async () => aggregator.view(PUBLIC_VIEWER).providers)
}
