import type { CostLedger } from '../money/ledger.js'
import type { Budget } from '../money/budget.js'
import { costRoutes } from './routes/cost.js'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions, type FastifySchemaValidationError } from 'fastify'
import swagger from '@fastify/swagger'
import type { HostMetrics } from '../metrics/counters.js'
import type { Aggregator } from '../core/aggregator.js'
import { instanceSchema } from '../core/instance.js'
import type { ApiKeyConfig } from '../config/schema.js'
import type { Logger } from '../core/logger.js'
import { capabilitiesSchema, providerStatusSchema } from '../core/snapshot.js'
import { NotFoundError, RequestValidationError } from '../core/errors.js'
import { formatAjvErrors } from '../core/validation.js'
import { bearerAuth, requireScope } from './auth.js'
import { actionSchema } from '../actions/record.js'
import type { ActionService } from '../actions/service.js'
import type { ConfirmationStore } from '../actions/confirmations.js'
import type { Language, Translate } from '../present/i18n.js'
import type { MuteList } from '../alerts/mutes.js'
import type { AuditLog } from '../audit/log.js'
import { actionRoutes } from './routes/actions.js'
import { auditRoutes } from './routes/audit.js'
import { instanceRoutes } from './routes/instances.js'
import { metricsRoutes } from './routes/metrics.js'
import { eventRoutes } from './routes/events.js'
import { badgeRoutes } from './routes/badges.js'
import { pageRoutes } from './routes/page.js'
import { meRoutes } from './routes/me.js'
import { muteRoutes } from './routes/mutes.js'
import { powerRoutes } from './routes/power.js'
import { stopTimerSchema, timerRoutes } from './routes/timers.js'
import type { StopTimers } from '../actions/timers.js'
import type { Replicas } from '../core/replicas.js'
import type { MarketWatch } from '../money/market.js'
import { marketRoutes } from './routes/market.js'
import { historyRoutes, historySchema } from './routes/history.js'
import type { AvailabilityHistory } from '../money/history.js'
import { auditEntrySchema, confirmationSchema, errorSchema, instanceListSchema, muteSchema } from './schemas.js'
import { documentRoute, openapiOptions } from './openapi.js'
import { SnapshotCache } from './snapshot-cache.js'

export interface ApiOptions {
  aggregator: Aggregator
  /** Named, scoped keys; empty = anonymous reads, no control. */
  apiKeys: readonly ApiKeyConfig[]
  log: Logger
  /** Version shown in the OpenAPI document. */
  version: string
  /** Power control, audit and mutes; without them the API is read-only. */
  control?: {
    actions: ActionService
    /** Stop timers (`stopAfter`, `/api/v1/timers`). */
    timers: StopTimers
    audit: AuditLog
    mutes: MuteList
    confirmations: ConfirmationStore
    /** Translators of the confirmations' texts, by language. */
    translators: Readonly<Record<Language, Translate>>
    /** Monthly budgets, shown in power-on confirmations. */
    budget?: Budget | undefined
    /** Time zone of times in confirmation texts (`telegram.timeZone`). */
    timeZone?: string | null | undefined
  } | undefined
  /** With a Redis store: which host leads (`/healthz`, `X-Computewatch-Leader`); control on a follower answers 503. */
  replicas?: Pick<Replicas, 'hostId' | 'role' | 'leader' | 'forward'> | null | undefined
  /** The availability history (`GET …/history`); without it the routes are absent. */
  history?: AvailabilityHistory | undefined
  /** The GPU market (`GET /api/v1/market`); without it the route is absent. */
  market?: MarketWatch | undefined
  /** The cost ledger (`GET /api/v1/cost`); without it the route is absent. */
  ledger?: CostLedger | undefined
  /** The host's counters and build info, part of `/metrics`. */
  counters?: HostMetrics | undefined
  /** The built status page (`dist/page` of the package); without it `/` says the page is not built. */
  pageFolder?: string | undefined
}

/**
 * The status API as a Fastify instance that does not listen yet (tests use `inject`). Every route
 * declares its request and response schemas; responses are serialized through them, so nothing
 * outside the documented shape (tokens, raw provider fields) can leave.
 */
export async function buildApi (options: ApiOptions): Promise<FastifyInstance> {
  const root = options.log as FastifyBaseLogger
  const app = Fastify({
    loggerInstance: root,
    // A child logger per request (with its bindings and the redaction setup) costs more than serving a
    // cached body; it is made only when debug lines will be written. Lines above debug name the reqId.
    childLoggerFactory: (logger, bindings, opts) => options.log.isLevelEnabled('debug') ? logger.child(bindings, opts) : logger,
    logController: new DebugRequestLogs(options.log),
    ajv: { customOptions: { removeAdditional: false, allErrors: true, verbose: true } },
    schemaErrorFormatter: (errors, dataVar) => new RequestValidationError(describeValidation(errors, dataVar))
  })
  for (const schema of [errorSchema, capabilitiesSchema, providerStatusSchema, instanceSchema, instanceListSchema, actionSchema, confirmationSchema, muteSchema, auditEntrySchema, stopTimerSchema]) app.addSchema(schema)
  if (options.history) app.addSchema(historySchema)
  await app.register(swagger, openapiOptions(options.version))
  app.decorateRequest('principal', null)
  // The page: no key to load it (it asks for one), its own security headers.
  await app.register(pageRoutes, { folder: options.pageFolder })
  // Unknown routes do not reveal themselves without a key: the key check runs before the 404.
  const authenticate = bearerAuth(options.apiKeys)
  app.setNotFoundHandler({ preHandler: authenticate }, (request, reply) => {
    void reply.send(new NotFoundError(`no route ${request.method} ${request.url.split('?')[0]}: the API is under /api/v1 (GET /api/v1/openapi.json lists it)`))
  })
  // The API: every route behind the key check and its scope.
  await app.register(async (api) => {
    api.addHook('onRequest', authenticate)
    api.addHook('preHandler', requireScope)
    api.addHook('onRoute', documentRoute(options.apiKeys.length > 0))
    await apiRoutes(api, options)
  })
  return app
}

/** Every route of the status API (one Fastify plugin per resource), inside the scope of the key check. */
async function apiRoutes (app: FastifyInstance, options: ApiOptions): Promise<void> {
  const replicas = options.replicas ?? null
  app.get('/healthz', {
    schema: {
      summary: 'Liveness: the process answers; with hosts sharing a Redis store, which one leads',
      operationId: 'getHealth',
      tags: ['health'],
      response: {
        200: {
          type: 'object',
          required: ['status'],
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['ok'] },
            host: { type: 'string', description: 'This host among the replicas (Redis store only).' },
            role: { type: 'string', enum: ['leader', 'follower'], description: 'Redis store only.' },
            leader: { type: ['string', 'null'], description: 'The host that leads now; null while none does (Redis store only).' }
          }
        }
      }
    }
  }, async () => replicas === null
    ? { status: 'ok' as const }
    : { status: 'ok' as const, host: replicas.hostId, role: replicas.role(), leader: await replicas.leader().catch(() => null) })
  if (replicas !== null) app.addHook('onRoute', replicaRoute(replicas))
  // One Fastify plugin per resource.
  const { aggregator, control } = options
  const cache = new SnapshotCache(aggregator)
  await app.register(instanceRoutes, { aggregator, cache })
  await app.register(metricsRoutes, { aggregator, counters: options.counters })
  await app.register(eventRoutes, { aggregator })
  await app.register(badgeRoutes, { aggregator, keyed: options.apiKeys.length > 0 })
  await app.register(meRoutes, { control: control !== undefined })
  if (options.ledger) await app.register(costRoutes, { ledger: options.ledger })
  if (options.market) await app.register(marketRoutes, { market: options.market })
  if (options.history) await app.register(historyRoutes, { history: options.history, aggregator })
  if (control) {
    await app.register(powerRoutes, {
      actions: control.actions, timers: control.timers, aggregator, confirmations: control.confirmations, translators: control.translators, budget: control.budget, timeZone: control.timeZone
    })
    await app.register(timerRoutes, { timers: control.timers })
    await app.register(actionRoutes, { actions: control.actions })
    await app.register(auditRoutes, { audit: control.audit })
    await app.register(muteRoutes, { mutes: control.mutes, audit: control.audit, aggregator })
  }
  app.get('/api/v1/openapi.json', {
    schema: { hide: true, response: { 200: { type: 'object', additionalProperties: true }, 401: { $ref: 'Error#' } } }
  }, async () => app.swagger())
}

/**
 * One debug line per request instead of Fastify's two info lines: a monitoring API is scraped often,
 * and its logs should be about providers. A client's mistake (4xx) is one info line without a stack;
 * a server error (5xx) keeps Fastify's error line with the stack — except a store failure
 * (`CW_ERR_STORE`), which the store logs once per burst, so here it is a debug line.
 */
class DebugRequestLogs extends LogController {
  readonly #log: Logger
  constructor (log: Logger) {
    super()
    this.#log = log
  }

  override incomingRequest (): void {}
  override defaultErrorLog (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { reqId: request.id, method: request.method, url: request.routeOptions.url ?? request.url.split('?')[0], statusCode: reply.statusCode, code: error.code, error: error.message }
    if (error.code === 'CW_ERR_STORE') return request.log.debug(fields, 'request refused: the store cannot save')
    if (reply.statusCode >= 500) return super.defaultErrorLog(error, request, reply)
    request.log.info(fields, 'request refused')
  }
  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply)
    if (!this.#log.isLevelEnabled('debug')) return
    request.log.debug({ method: request.method, url: request.routeOptions.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request')
  }
}

/** `querystring.state: must be one of: "running", …` — what was wrong and what is allowed. */
function describeValidation (errors: FastifySchemaValidationError[], dataVar: string): string {
  return formatAjvErrors(errors as Parameters<typeof formatAjvErrors>[0], dataVar)
    .map(line => line.replace(': unknown key', ': unknown parameter'))
    .join('; ')
}

/**
 * With hosts sharing a Redis store, an `onRoute` hook that adds to the routes concerned only (no hook
 * on the hot read routes): `X-Computewatch-Leader` on `/api/v1/providers`; on control routes of an
 * instance, a follower hands the request to the leader (with the caller's key, checked again there)
 * and answers with its answer.
 */
function replicaRoute (replicas: NonNullable<ApiOptions['replicas']>): (route: RouteOptions) => void {
  const leader = async (): Promise<string> => await replicas.leader().catch(() => null) ?? ''
  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (replicas.role() === 'leader') return
    const headers: Record<string, string> = {}
    for (const name of ['authorization', 'content-type']) if (typeof request.headers[name] === 'string') headers[name] = request.headers[name]
    const answer = await replicas.forward({ method: request.method, url: request.url, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) })
    for (const name of ['content-type', 'location']) if (answer.headers[name] !== undefined) void reply.header(name, answer.headers[name])
    return await reply.code(answer.statusCode).header('x-computewatch-leader', await leader()).send(answer.body)
  }
  const append = <H>(hooks: H | H[] | undefined, hook: H): H[] => [...(hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]), hook]
  return (route) => {
    if (route.url === '/api/v1/providers') {
      route.onSend = append(route.onSend, async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        void reply.header('x-computewatch-leader', await leader())
        return payload
      }) as RouteOptions['onSend']
    }
    // Whatever changes state is done by the leader (the store refuses a follower's writes).
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if ((route.config as { scope?: string } | undefined)?.scope === 'control' && methods.some(m => m !== 'GET' && m !== 'HEAD')) {
      route.preHandler = append(route.preHandler, forward) as RouteOptions['preHandler']
    }
  }
}
