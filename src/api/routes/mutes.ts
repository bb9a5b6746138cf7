import type { FastifyPluginAsync } from 'fastify'
import { parseMuteDuration, resolveMuteTarget, type MuteList } from '../../alerts/mutes.js'
import { describeActor, type AuditLog } from '../../audit/log.js'
import type { Aggregator } from '../../core/aggregator.js'
import { NotFoundError } from '../../core/errors.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import { actorOf } from '../auth.js'

/** `GET|POST /api/v1/mutes`, `DELETE /api/v1/mutes/{id}` (`control` to change): silenced provider entries and instances. */
export const muteRoutes: FastifyPluginAsync<{ mutes: MuteList; audit: AuditLog; aggregator: Aggregator }> = async (app, services) => {
  app.get('/api/v1/mutes', {
    schema: { summary: 'Active mutes', operationId: 'listMutes', tags: ['alerts'], response: { 200: { type: 'array', items: { $ref: 'Mute#' } } } }
  }, async () => await services.mutes.list(PUBLIC_VIEWER))

  app.post<{ Body: { target: string; duration: string; reason?: string } }>('/api/v1/mutes', {
    config: { scope: 'control' },
    schema: {
      summary: 'Silence alerts of a provider entry or an instance for a while',
      operationId: 'createMute',
      tags: ['alerts'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['target', 'duration'],
        properties: {
          target: { type: 'string', minLength: 1, description: 'Provider entry id, provider/instanceId, or an instance name or id.' },
          duration: { type: 'string', minLength: 1, description: 'e.g. 30m, 2h, 1h30m, 1d (1 minute to 30 days).' },
          reason: { type: 'string', maxLength: 200 }
        }
      },
      response: { 201: { $ref: 'Mute#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } }
    }
  }, async (request, reply) => {
    const target = resolveMuteTarget(services.aggregator.view(PUBLIC_VIEWER), request.body.target)
    const durationMs = parseMuteDuration(request.body.duration)
    const actor = actorOf(request)
    const mute = await services.mutes.add({ target, label: request.body.target, durationMs, by: describeActor(actor), reason: request.body.reason })
    await services.audit.append({ actor, action: 'mute', target: { provider: target.provider, instanceId: target.instanceId }, result: 'succeeded', detail: `until ${mute.until}` })
    return await reply.code(201).send(mute)
  })

  app.delete<{ Params: { id: string } }>('/api/v1/mutes/:id', {
    config: { scope: 'control' },
    schema: {
      summary: 'End a mute',
      operationId: 'deleteMute',
      tags: ['alerts'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      response: { 204: { type: 'null' }, 404: { $ref: 'Error#' } }
    }
  }, async (request, reply) => {
    const mute = (await services.mutes.list(PUBLIC_VIEWER)).find(m => m.id === request.params.id)
    if (!mute || !await services.mutes.remove(mute.id)) throw new NotFoundError(`no active mute "${request.params.id}"`)
    await services.audit.append({ actor: actorOf(request), action: 'unmute', target: { ...mute.target, name: mute.label }, result: 'succeeded', detail: request.params.id })
    return await reply.code(204).send()
  })
}
