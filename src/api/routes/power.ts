import type { FastifyPluginAsync } from 'fastify'
import type { Budget } from '../../money/budget.js'
import type { ConfirmationStore } from '../../actions/confirmations.js'
import type { ActionKind } from '../../actions/record.js'
import type { ActionService } from '../../actions/service.js'
import { parseStopAfter, type StopTimers } from '../../actions/timers.js'
import { RequestValidationError } from '../../core/errors.js'
import type { Aggregator } from '../../core/aggregator.js'
import type { PowerOnMode } from '../../core/provider.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import type { Verb } from '../../core/verbs.js'
import { confirmationText, stopTimerLine } from '../../present/confirm.js'
import type { Language, Translate } from '../../present/i18n.js'
import { actorOf } from '../auth.js'

/** `{provider}/{id}`: the entry id and the provider's instance id. */
const params = {
  type: 'object',
  required: ['provider', 'id'],
  properties: { provider: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 } }
} as const
const controlErrors = {
  404: { $ref: 'Error#' }, 409: { $ref: 'Error#' }, 501: { $ref: 'Error#' }, 502: { $ref: 'Error#' }, 504: { $ref: 'Error#' }
} as const
const KINDS = ['power-on', 'power-off', 'keep-alive'] as const
const OPERATION_IDS: Record<ActionKind, string> = { 'power-on': 'powerOn', 'power-off': 'powerOff', 'keep-alive': 'keepAlive' }
const modeSchema = { type: 'string', enum: ['gpu', 'no_gpu'], default: 'gpu', description: 'power-on only: with GPU, or AutoDL\'s no-GPU mode (无卡模式).' } as const
const stopAfterSchema = {
  type: 'string', minLength: 2, maxLength: 20, examples: ['3h'],
  description: 'power-on only: a stop timer, e.g. "3h", "90m", "1h30m" (1 minute to 7 days): the host powers the instance off after that long, warning before.'
} as const
const confirmationSchema = { type: 'string', minLength: 1, maxLength: 100, description: 'A token from POST …/confirmations: the action runs only if it is unused and for this very action.' } as const

export interface PowerRouteOptions {
  actions: ActionService
  /** Power-ons with `stopAfter` set a stop timer. */
  timers: StopTimers
  aggregator: Aggregator
  confirmations: ConfirmationStore
  /** Translators of the confirmation texts, by language. */
  translators: Readonly<Record<Language, Translate>>
  /** Monthly budgets, shown in power-on confirmations. */
  budget?: Budget | undefined
  /** Time zone of the stop time in confirmation texts (`telegram.timeZone`; null: the host's). */
  timeZone?: string | null | undefined
}

const verbOf = (kind: ActionKind, mode: PowerOnMode): Verb => kind === 'power-on' ? (mode === 'no_gpu' ? 'nogpu' : 'on') : kind === 'power-off' ? 'off' : 'keepalive'

/**
 * Power control (`control` scope):
 * - `POST /api/v1/instances/{provider}/{id}/power-on|power-off|keep-alive` answers 202 with the action
 *   record once the provider accepted; follow it at `GET /api/v1/actions/{id}`. A power-on with
 *   `stopAfter` (e.g. `"3h"`) sets a stop timer: `stopAt` on the record and on the instance. With `confirmation`, the
 *   token is redeemed first (single use, for this action only).
 * - `POST /api/v1/instances/{provider}/{id}/confirmations` checks the action on a fresh list as the
 *   action would, and answers what it does and costs (the bot's words) with a single-use token.
 */
export const powerRoutes: FastifyPluginAsync<PowerRouteOptions> = async (app, { actions, timers, aggregator, confirmations, translators, budget, timeZone = null }) => {
  for (const kind of KINDS) {
    app.post<{ Params: { provider: string; id: string }; Body: { mode?: PowerOnMode; confirmation?: string; stopAfter?: string } | undefined }>(`/api/v1/instances/:provider/:id/${kind}`, {
      config: { scope: 'control' },
      schema: {
        summary: kind === 'power-on' ? 'Power an instance on (mode gpu or no_gpu)' : kind === 'power-off' ? 'Power an instance off' : 'Keep a stopped instance from being released: no-GPU on, then off, clock verified',
        operationId: OPERATION_IDS[kind],
        tags: ['control'],
        params,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { ...(kind === 'power-on' ? { mode: modeSchema, stopAfter: stopAfterSchema } : {}), confirmation: confirmationSchema }
        },
        response: { 202: { $ref: 'Action#' }, ...controlErrors }
      }
    }, async (request, reply) => {
      const { provider, id } = request.params
      const mode = request.body?.mode ?? 'gpu'
      const token = request.body?.confirmation
      const stopAfterMs = request.body?.stopAfter === undefined ? undefined : parseStopAfter(request.body.stopAfter, 'body/stopAfter')
      if (token !== undefined) await confirmations.redeem(token, { provider, instanceId: id, kind, mode, stopAfterMs })
      const base = { providerId: provider, instanceId: id, mode, actor: actorOf(request), viewer: PUBLIC_VIEWER }
      const record = stopAfterMs !== undefined ? await timers.powerOn(base, stopAfterMs) : await actions.start({ ...base, kind })
      return await reply.code(202).header('location', `/api/v1/actions/${record.id}`).send(record)
    })
  }

  app.post<{ Params: { provider: string; id: string }; Body: { action: ActionKind; mode?: PowerOnMode; stopAfter?: string; lang?: Language } }>('/api/v1/instances/:provider/:id/confirmations', {
    config: { scope: 'control' },
    schema: {
      summary: 'Check an action and get what it does and costs, with a single-use confirmation token (5 minutes)',
      operationId: 'createConfirmation',
      tags: ['control'],
      params,
      body: {
        type: 'object',
        required: ['action'],
        additionalProperties: false,
        properties: {
          action: { type: 'string', enum: [...KINDS] },
          mode: modeSchema,
          stopAfter: stopAfterSchema,
          lang: { type: 'string', enum: ['zh', 'en'], default: 'en', description: 'Language of `text`.' }
        }
      },
      response: {
        201: { $ref: 'Confirmation#' },
        ...controlErrors
      }
    }
  }, async (request, reply) => {
    const { provider, id } = request.params
    const { action, mode = 'gpu', lang = 'en' } = request.body
    if (request.body.stopAfter !== undefined && action !== 'power-on') throw new RequestValidationError('body/stopAfter: only a power-on takes a stop timer')
    const stopAfterMs = request.body.stopAfter === undefined ? undefined : parseStopAfter(request.body.stopAfter, 'body/stopAfter')
    const instance = await actions.preview({ kind: action, providerId: provider, instanceId: id, mode, viewer: PUBLIC_VIEWER })
    const capabilities = aggregator.get(provider)?.provider.capabilities
    const { token, expiresAt } = await confirmations.issue({ provider, instanceId: id, kind: action, mode, stopAfterMs })
    const timer = stopAfterMs === undefined ? undefined : stopTimerLine(stopAfterMs, new Date(), lang, timeZone)
    const text = confirmationText(translators[lang], verbOf(action, mode), instance, capabilities, await budget?.states(provider) ?? [], timer)
    return await reply.code(201).send({ token, action, mode, text, expiresAt: expiresAt.toISOString() })
  })
}
