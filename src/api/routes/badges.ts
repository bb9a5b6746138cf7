import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type { Aggregator } from '../../core/aggregator.js'
import { NotFoundError } from '../../core/errors.js'
import type { Instance, InstanceState } from '../../core/instance.js'
import { canSee, PUBLIC_VIEWER } from '../../core/visibility.js'

/** Shields' colours by state. */
const COLOURS: Record<InstanceState, string> = {
  running: 'brightgreen', starting: 'yellow', stopping: 'yellow', stopped: 'lightgrey', offline: 'red', error: 'red', unknown: 'lightgrey'
}

/** `running · 2/8 GPUs idle` — the state and, where known, the host's idle GPUs. */
export function instanceBadgeText (i: Instance): string {
  const state = i.state === 'unknown' ? i.providerState || 'unknown' : i.state
  const gpus = i.gpu?.hostIdle != null ? ` · ${i.gpu.hostIdle}/${i.gpu.hostTotal ?? '?'} GPUs idle` : ''
  return `${i.stale ? 'stale · ' : ''}${state}${gpus}`
}

const svgName = (value: string, what: string): string => {
  if (!value.endsWith('.svg') || value.length === 4) throw new NotFoundError(`badges end in .svg: /api/v1/badges/{provider}${what === 'instance' ? '/{instance}' : ''}.svg`)
  return value.slice(0, -4)
}

/**
 * Shields-style SVG badges (badge-maker, the library of shields.io), for READMEs and wikis:
 * `GET /api/v1/badges/{provider}.svg` (ok / failing, instance count) and
 * `GET /api/v1/badges/{provider}/{instance}.svg` (state; idle GPUs of its host). Same access as the
 * other reads; cached by clients for 60 s (`private` when keys are configured).
 */
export const badgeRoutes: FastifyPluginAsync<{ aggregator: Aggregator; keyed: boolean }> = async (app, { aggregator, keyed }) => {
  // badge-maker (and its font-width tables, ~5 MiB) is loaded with the first badge, not by every host.
  const send = async (reply: FastifyReply, label: string, message: string, color: string): Promise<FastifyReply> => {
    const { makeBadge } = await import('badge-maker')
    return await reply.type('image/svg+xml; charset=utf-8').header('cache-control', `${keyed ? 'private' : 'public'}, max-age=60`).send(makeBadge({ label, message, color }))
  }
  const response = { 200: { type: 'string', description: 'An SVG image.' }, 404: { $ref: 'Error#' } }
  const entry = (id: string): NonNullable<ReturnType<Aggregator['status']>> => {
    const status = canSee(PUBLIC_VIEWER, id) ? aggregator.status(id) : undefined
    if (!status) throw new NotFoundError(`no provider entry "${id}"`)
    return status
  }

  app.get<{ Params: { provider: string } }>('/api/v1/badges/:provider', {
    schema: {
      summary: 'Badge of a provider entry: ok / failing and its instance count (`/api/v1/badges/{provider}.svg`)',
      operationId: 'getProviderBadge',
      tags: ['status'],
      produces: ['image/svg+xml'],
      params: { type: 'object', required: ['provider'], properties: { provider: { type: 'string', minLength: 5, description: 'The entry id followed by .svg' } } },
      response
    }
  }, async (request, reply) => {
    const status = entry(svgName(request.params.provider, 'provider'))
    const polled = status.lastSuccessAt !== null || status.lastErrorAt !== null
    return await send(reply, status.id, `${status.ok ? 'ok' : polled ? 'failing' : 'not polled yet'} · ${status.instanceCount} instance${status.instanceCount === 1 ? '' : 's'}`, status.ok ? 'brightgreen' : polled ? 'red' : 'lightgrey')
  })

  app.get<{ Params: { provider: string; instance: string } }>('/api/v1/badges/:provider/:instance', {
    schema: {
      summary: 'Badge of an instance: its state and its host\'s idle GPUs (`/api/v1/badges/{provider}/{instance}.svg`)',
      operationId: 'getInstanceBadge',
      tags: ['status'],
      produces: ['image/svg+xml'],
      params: {
        type: 'object',
        required: ['provider', 'instance'],
        properties: { provider: { type: 'string', minLength: 1 }, instance: { type: 'string', minLength: 5, description: 'The instance id followed by .svg' } }
      },
      response
    }
  }, async (request, reply) => {
    const { provider } = request.params
    const id = svgName(request.params.instance, 'instance')
    entry(provider)
    const instance = aggregator.find(provider, id)
    if (!instance) throw new NotFoundError(`no instance "${id}" in ${provider}`)
    return await send(reply, instance.name, instanceBadgeText(instance), instance.stale ? 'orange' : COLOURS[instance.state])
  })
}
