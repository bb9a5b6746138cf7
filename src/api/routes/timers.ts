import type { FastifyPluginAsync } from 'fastify'
import { parseStopAfter, type StopTimer, type StopTimers } from '../../actions/timers.js'
import { describeActor } from '../../audit/log.js'
import { PUBLIC_VIEWER } from '../../core/visibility.js'
import { actorOf } from '../auth.js'

/** A stop timer as the API shows it (`$id: StopTimer`): who set it as `api:<key>`, `telegram:<id>`. */
export const stopTimerSchema = {
  $id: 'StopTimer',
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'instanceId', 'instanceName', 'stopAt', 'setAt', 'setBy', 'warned'],
  properties: {
    provider: { type: 'string' },
    instanceId: { type: 'string' },
    instanceName: { type: 'string' },
    stopAt: { type: 'string', format: 'date-time', description: 'When the host powers the instance off.' },
    setAt: { type: 'string', format: 'date-time', description: 'When the timer was set or last changed.' },
    setBy: { type: 'string', description: 'Who set it, e.g. "api:ops", "telegram:123 (alice)".' },
    warned: { type: 'boolean', description: 'The warning before the stop time (alerts.stopTimerWarningMinutes) went out.' }
  }
} as const

const params = {
  type: 'object',
  required: ['provider', 'id'],
  properties: { provider: { type: 'string', minLength: 1 }, id: { type: 'string', minLength: 1 } }
} as const

const shown = (t: StopTimer): Record<string, unknown> => ({
  provider: t.provider, instanceId: t.instanceId, instanceName: t.instanceName, stopAt: t.stopAt, setAt: t.setAt, setBy: describeActor(t.setBy), warned: t.warned
})

/**
 * Stop timers: `GET /api/v1/timers` (read), `PUT|DELETE /api/v1/instances/{provider}/{id}/stop-timer`
 * (`control`): set a running instance's timer to `stopAfter` from now (replacing one it has), or cancel it.
 * A power-on sets one with `stopAfter` (see the power routes).
 */
export const timerRoutes: FastifyPluginAsync<{ timers: StopTimers }> = async (app, { timers }) => {
  app.get('/api/v1/timers', {
    schema: { summary: 'Stop timers, soonest first', operationId: 'listStopTimers', tags: ['control'], response: { 200: { type: 'array', items: { $ref: 'StopTimer#' } } } }
  }, async () => timers.list(PUBLIC_VIEWER).map(shown))

  app.put<{ Params: { provider: string; id: string }; Body: { stopAfter: string } }>('/api/v1/instances/:provider/:id/stop-timer', {
    config: { scope: 'control' },
    schema: {
      summary: 'Power a running instance off after a while (sets or replaces its stop timer)',
      operationId: 'setStopTimer',
      tags: ['control'],
      params,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['stopAfter'],
        properties: { stopAfter: { type: 'string', minLength: 2, maxLength: 20, description: 'From now: e.g. "2h", "90m", "1h30m" (1 minute to 7 days).' } }
      },
      response: { 200: { $ref: 'StopTimer#' }, 404: { $ref: 'Error#' }, 409: { $ref: 'Error#' } }
    }
  }, async (request) => {
    const ms = parseStopAfter(request.body.stopAfter, 'body/stopAfter')
    return shown(await timers.set({ provider: request.params.provider, instanceId: request.params.id, viewer: PUBLIC_VIEWER }, ms, actorOf(request)))
  })

  app.delete<{ Params: { provider: string; id: string } }>('/api/v1/instances/:provider/:id/stop-timer', {
    config: { scope: 'control' },
    schema: {
      summary: 'Cancel an instance\'s stop timer (it keeps running)',
      operationId: 'cancelStopTimer',
      tags: ['control'],
      params,
      response: { 200: { $ref: 'StopTimer#' }, 404: { $ref: 'Error#' } }
    }
  }, async (request) => shown(await timers.cancel({ provider: request.params.provider, instanceId: request.params.id, viewer: PUBLIC_VIEWER }, actorOf(request))))
}
