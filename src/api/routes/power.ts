import type { FastifyPluginAsync } from 'fastify'
import type { ActionService } from '../../actions/service.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import { actorOf } from '../auth.js'
import { errorResponses } from '../schemas.js'

/** `{provider}/{id}`: the entry id and the provider's instance id. */
const params = {
  type: 'object',
  required: ['provider', 'id'],
  properties: { provider: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 } }
} as const
const controlErrors = {
  ...errorResponses, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' }, 501: { $ref: 'Error#' }, 502: { $ref: 'Error#' }, 504: { $ref: 'Error#' }
} as const

/**
 * Power control (`control` scope): `POST /api/v1/instances/{provider}/{id}/power-on|power-off|keep-alive`.
 * Answers 202 with the action record once the provider accepted; follow it at `GET /api/v1/actions/{id}`.
 */
export const powerRoutes: FastifyPluginAsync<{ actions: ActionService }> = async (app, services) => {
  for (const [path, kind] of [['power-on', 'power-on'], ['power-off', 'power-off'], ['keep-alive', 'keep-alive']] as const) {
    app.post<{ Params: { provider: string; id: string }; Body: { mode?: 'gpu' | 'no_gpu' } | undefined }>(`/api/v1/instances/:provider/:id/${path}`, {
      config: { scope: 'control' },
      schema: {
        summary: kind === 'power-on' ? 'Power an instance on (mode gpu or no_gpu)' : kind === 'power-off' ? 'Power an instance off' : 'Keep a stopped instance from being released: no-GPU on, then off, clock verified',
        tags: ['control'],
        params,
        ...(kind === 'power-on'
          ? { body: { type: ['object', 'null'], additionalProperties: false, properties: { mode: { type: 'string', enum: ['gpu', 'no_gpu'], default: 'gpu' } } } }
          : {}),
        response: { 202: { $ref: 'Action#' }, ...controlErrors }
      }
    }, async (request, reply) => {
      const record = await services.actions.start({
        kind, providerId: request.params.provider, instanceId: request.params.id, mode: request.body?.mode ?? 'gpu', actor: actorOf(request), viewer: PUBLIC_VIEWER
      })
      return await reply.code(202).header('location', `/api/v1/actions/${record.id}`).send(record)
    })
  }
}
