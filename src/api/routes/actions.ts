import type { FastifyPluginAsync } from 'fastify'
import type { ActionService } from '../../actions/service.js'
import { NotFoundError } from '../../core/errors.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'

/** `GET /api/v1/actions/{id}`: an action record (kept for 7 days). */
export const actionRoutes: FastifyPluginAsync<{ actions: ActionService }> = async (app, services) => {
  app.get<{ Params: { id: string } }>('/api/v1/actions/:id', {
    schema: {
      summary: 'An action and how far it got',
      operationId: 'getAction',
      tags: ['control'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
      response: { 200: { $ref: 'Action#' }, 404: { $ref: 'Error#' } }
    }
  }, async (request) => {
    const record = await services.actions.get(request.params.id, PUBLIC_VIEWER)
    if (!record) throw new NotFoundError(`no action "${request.params.id}" (records are kept for 7 days)`)
    return record
  })
}
