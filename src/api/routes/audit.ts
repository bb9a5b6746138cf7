import type { FastifyPluginAsync } from 'fastify'
import type { AuditLog } from '../../audit/log.js'
import { canSee, PUBLIC_VIEWER } from '../../core/visibility.js'

/** `GET /api/v1/audit?limit=&provider=`: who did what, newest first. */
export const auditRoutes: FastifyPluginAsync<{ audit: AuditLog }> = async (app, services) => {
  app.get<{ Querystring: { limit?: number; provider?: string } }>('/api/v1/audit', {
    schema: {
      summary: 'Who did what, newest first',
      operationId: 'listAuditEntries',
      tags: ['control'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, provider: { type: 'string', minLength: 1 } }
      },
      response: { 200: { type: 'array', items: { $ref: 'AuditEntry#' } } }
    }
  }, async (request) => await services.audit.list({ visible: id => canSee(PUBLIC_VIEWER, id), limit: request.query.limit, provider: request.query.provider }))
}
