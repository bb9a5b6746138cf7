import type { FastifyInstance } from 'fastify'
import type { ActionService } from '../../actions/service.js'
import type { Actor, AuditLog } from '../../audit/log.js'
import { parseMuteDuration, resolveMuteTarget, type MuteList } from '../../alerts/mutes.js'
import type { Aggregator } from '../../core/aggregator.js'
import { NotFoundError } from '../../core/errors.js'
import { errorResponses } from '../schemas.js'

/** The services behind power control, the audit log and mutes. */
export interface ControlServices {
  actions: ActionService
  audit: AuditLog
  mutes: MuteList
  aggregator: Aggregator
}

const params = {
  type: 'object',
  required: ['provider', 'id'],
  properties: { provider: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 } }
} as const
const controlErrors = {
  ...errorResponses, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' }, 501: { $ref: 'Error#' }, 502: { $ref: 'Error#' }, 504: { $ref: 'Error#' }
} as const

const auditEntrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'object', additionalProperties: true },
    action: { type: 'string' },
    target: { type: 'object', properties: { provider: { type: 'string' }, instanceId: { type: 'string' }, name: { type: 'string' } } },
    result: { type: 'string', enum: ['requested', 'succeeded', 'failed', 'refused'] },
    detail: { type: 'string' },
    actionId: { type: 'string' }
  }
} as const
const muteSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    target: { type: 'object', properties: { provider: { type: 'string' }, instanceId: { type: 'string' } } },
    label: { type: 'string' },
    until: { type: 'string', format: 'date-time' },
    by: { type: 'string' },
    reason: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' }
  }
} as const

/**
 * Power control (`control` scope), action records, the audit log and mutes. Power answers 202 with the
 * action record once the provider accepted; follow it at `GET /api/v1/actions/{id}`.
 */
export function controlRoutes (app: FastifyInstance, services: ControlServices): void {
  const actor = (request: { principal: { name: string } | null }): Actor => ({ kind: 'api', key: request.principal?.name ?? 'anonymous' })

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
        kind, provider: request.params.provider, instanceId: request.params.id, mode: request.body?.mode ?? 'gpu', actor: actor(request), viewer: {}
      })
      return await reply.code(202).header('location', `/api/v1/actions/${record.id}`).send(record)
    })
  }

  app.get<{ Params: { id: string } }>('/api/v1/actions/:id', {
    schema: {
      summary: 'An action and how far it got',
      tags: ['control'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
      response: { 200: { $ref: 'Action#' }, ...errorResponses, 404: { $ref: 'Error#' } }
    }
  }, async (request) => {
    const record = await services.actions.get(request.params.id)
    if (!record) throw new NotFoundError(`no action "${request.params.id}" (records are kept for 7 days)`)
    return record
  })

  app.get<{ Querystring: { limit?: number; provider?: string } }>('/api/v1/audit', {
    schema: {
      summary: 'Who did what, newest first',
      tags: ['control'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, provider: { type: 'string', minLength: 1 } }
      },
      response: { 200: { type: 'array', items: auditEntrySchema }, ...errorResponses }
    }
  }, async (request) => await services.audit.list({ limit: request.query.limit, provider: request.query.provider }))

  app.get('/api/v1/mutes', {
    schema: { summary: 'Active mutes', tags: ['alerts'], response: { 200: { type: 'array', items: muteSchema }, ...errorResponses } }
  }, async () => await services.mutes.list())

  app.post<{ Body: { target: string; duration: string; reason?: string } }>('/api/v1/mutes', {
    config: { scope: 'control' },
    schema: {
      summary: 'Silence alerts of a provider entry or an instance for a while',
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
      response: { 201: muteSchema, ...errorResponses, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } }
    }
  }, async (request, reply) => {
    const target = resolveMuteTarget(services.aggregator.view({}), request.body.target)
    const durationMs = parseMuteDuration(request.body.duration)
    const by = `api:${request.principal?.name ?? 'anonymous'}`
    const mute = await services.mutes.add({ target, label: request.body.target, durationMs, by, reason: request.body.reason })
    await services.audit.append({ actor: actor(request), action: 'mute', target: { provider: target.provider, instanceId: target.instanceId }, result: 'succeeded', detail: `until ${mute.until}` })
    return await reply.code(201).send(mute)
  })

  app.delete<{ Params: { id: string } }>('/api/v1/mutes/:id', {
    config: { scope: 'control' },
    schema: {
      summary: 'End a mute',
      tags: ['alerts'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      response: { 204: { type: 'null' }, ...errorResponses, 404: { $ref: 'Error#' } }
    }
  }, async (request, reply) => {
    if (!await services.mutes.remove(request.params.id)) throw new NotFoundError(`no active mute "${request.params.id}"`)
    await services.audit.append({ actor: actor(request), action: 'unmute', target: {}, result: 'succeeded', detail: request.params.id })
    return await reply.code(204).send()
  })
}
