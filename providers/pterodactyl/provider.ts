import type { AxiosError, AxiosResponse, Method } from 'axios'
import { isNetworkError } from 'axios-retry'
import PQueue from 'p-queue'
import { ConflictError, NotSupportedError, ProviderApiError, ProviderAuthError, ProviderError, ProviderHttpError, ProviderResponseError, createCheckAjv, formatAjvErrors, send, type CallOptions, type InstanceData, type PowerOnMode, type Provider, type ProviderCapabilities, type ProviderDeps } from '../../src/index.js'
import { blockedLifecycle, toInstance, type RawServer, type RawStats } from './map.js'
import type { PterodactylConfig } from './schema.js'

/** A server's live stats over polls: when last asked for (epoch ms), and the last ones read. */
interface LiveState { askedAt: number; stats: RawStats | null }

/** Without it a bad key is a redirect to /auth/login instead of a 401 (§4.1). */
const ACCEPT = 'Application/vnd.pterodactyl.v1+json'
/**
 * Reads retry only a 429 (after Retry-After) or a lost connection: a Wings 502/504 does not heal in
 * milliseconds, and every retry is one more request outside the pacing queue.
 */
const RETRY_READS = { 'axios-retry': { retryCondition: (e: AxiosError) => e.response?.status === 429 || isNetworkError(e) } }
/** The panel's largest page (§4.3). */
const PER_PAGE = 100
const MAX_PAGES = 200

const ajv = createCheckAjv()
const validPage = ajv.compile({
  type: 'object',
  required: ['data', 'meta'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['attributes'],
        properties: {
          attributes: {
            type: 'object',
            required: ['identifier', 'name', 'node', 'is_suspended', 'limits'],
            properties: {
              identifier: { type: 'string', minLength: 1 },
              name: { type: 'string' },
              node: { type: 'string' },
              status: { type: ['string', 'null'] },
              is_suspended: { type: 'boolean' },
              limits: { type: 'object', required: ['memory', 'disk', 'cpu'], properties: { memory: { type: 'integer' }, disk: { type: 'integer' }, cpu: { type: 'integer' } } }
            }
          }
        }
      }
    },
    meta: {
      type: 'object',
      required: ['pagination'],
      properties: { pagination: { type: 'object', required: ['current_page', 'total_pages'], properties: { current_page: { type: 'integer' }, total_pages: { type: 'integer' } } } }
    }
  }
})
const validStats = ajv.compile({
  type: 'object',
  required: ['attributes'],
  properties: {
    attributes: {
      type: 'object',
      required: ['current_state', 'resources'],
      properties: {
        current_state: { type: 'string' },
        is_suspended: { type: 'boolean' },
        resources: {
          type: 'object',
          required: ['memory_bytes', 'cpu_absolute', 'disk_bytes', 'uptime'],
          properties: { memory_bytes: { type: 'number' }, cpu_absolute: { type: 'number' }, disk_bytes: { type: 'number' }, uptime: { type: 'number' } }
        }
      }
    }
  }
})

/**
 * A Pterodactyl panel account through the client API (reference/providers.md §4).
 * - `Authorization: Bearer ptlc_…` and always `Accept: Application/vnd.pterodactyl.v1+json`.
 * - `GET /api/client` paged to `total_pages`, then `GET /servers/{id}/resources` per server for the live
 *   state. Every request of the entry goes through one queue: at most `concurrency` at once and
 *   `requestsPerMinute` per minute (the panel allows 720); a 429 waits for `Retry-After`.
 * - Power is `POST /servers/{id}/power {signal}` → 204, asynchronous.
 */
export class PterodactylProvider implements Provider {
  readonly capabilities: ProviderCapabilities = { powerOn: true, powerOff: true, noGpuMode: false, releaseAfterStopSeconds: null }

  readonly #config: PterodactylConfig
  readonly #deps: ProviderDeps
  readonly #queue: PQueue
  /** Per server of the last list: when its stats were last asked for, and the last ones read (kept for polls that cannot read them). */
  #live = new Map<string, LiveState>()
  /** Servers the panel refuses power requests for (as of the last list): identifier → lifecycle word. */
  #blocked = new Map<string, string>()

  constructor (config: PterodactylConfig, deps: ProviderDeps) {
    this.#config = config
    this.#deps = deps
    deps.secrets.add(config.apiKey)
    if (!config.apiKey.startsWith('ptlc_')) {
      deps.log.warn('this client API key has no ptlc_ prefix: a key created before 2022 (pterodactyl/panel b051718) still works; create a new one when convenient')
    }
    this.#queue = new PQueue({ concurrency: config.concurrency, intervalCap: Math.max(1, Math.ceil(config.requestsPerMinute / 60)), interval: 1000, strict: true })
  }

  /** The key is checked by the first list call; nothing to do ahead of it. */
  async authenticate (): Promise<void> {}

  async listInstances (options: CallOptions = {}): Promise<InstanceData[]> {
    const servers: RawServer[] = []
    for (let page = 1, total = 1; page <= total && page <= MAX_PAGES; page++) {
      const body = await this.#call('GET', `/api/client?page=${page}&per_page=${PER_PAGE}`, undefined, options.signal)
      if (!validPage(body)) throw new ProviderResponseError(`Pterodactyl GET /api/client page ${page}: unexpected answer: ${formatAjvErrors(validPage.errors, 'body')[0]}`)
      const list = body as { data: Array<{ attributes: RawServer }>; meta: { pagination: { total_pages: number } } }
      servers.push(...list.data.map(d => d.attributes))
      total = list.meta.pagination.total_pages
    }
    this.#blocked = new Map(servers.flatMap(s => { const word = blockedLifecycle(s); return word ? [[s.identifier, word] as const] : [] }))
    // Live stats server by server, through the entry's queue (concurrency and rate limit). The panel
    // answers 409 for blocked servers, so they are not asked. Past the deadline no read is started: a
    // panel too large for one poll budget still completes it, the unread servers marked stale.
    // Servers asked longest ago go first, so that over a few polls every server gets a fresh read.
    const previous = this.#live
    this.#live = new Map(servers.map(s => [s.identifier, previous.get(s.identifier) ?? { askedAt: 0, stats: null }]))
    const live = (server: RawServer): LiveState => this.#live.get(server.identifier)!
    const reads = new Map<string, Promise<RawStats | null>>()
    for (const server of [...servers].sort((a, b) => live(a).askedAt - live(b).askedAt)) {
      if (this.#blocked.has(server.identifier)) continue
      await this.#queue.onSizeLessThan(this.#config.concurrency)
      if (options.deadline !== undefined && Date.now() >= options.deadline) break
      live(server).askedAt = Date.now()
      reads.set(server.identifier, this.#stats(server, options.signal))
    }
    const fresh = new Map(await Promise.all([...reads].map(async ([id, read]) => [id, await read] as const)))
    let unread = 0
    const instances = servers.map(server => {
      if (this.#blocked.has(server.identifier)) return toInstance(server, null, this.#config.baseUrl)
      const read = fresh.get(server.identifier)
      if (read) {
        live(server).stats = read
        return toInstance(server, read, this.#config.baseUrl)
      }
      unread++
      const last = live(server).stats
      return toInstance(server, last, this.#config.baseUrl, last !== null)
    })
    if (unread > 0) this.#deps.log.info({ unread, servers: servers.length }, 'live state of some servers not read in this poll; their last known state is shown as stale')
    return instances
  }

  /**
   * `POST /servers/{id}/power {"signal":"start"}` (§4.5).
   * @throws ConflictError (409) without sending anything for a server the panel would refuse (suspended,
   *   installing, restoring, transferring, node under maintenance), naming the reason.
   */
  async powerOn (instanceId: string, options: CallOptions & { mode: PowerOnMode }): Promise<void> {
    if (options.mode === 'no_gpu') throw new NotSupportedError('powerOn in no-GPU mode', 'pterodactyl')
    this.#refuseBlocked(instanceId, 'power on')
    await this.#call('POST', `/api/client/servers/${encodeURIComponent(instanceId)}/power`, { signal: 'start' }, options.signal)
  }

  /** `POST /servers/{id}/power {"signal":"stop"}` (§4.5). */
  async powerOff (instanceId: string, options: CallOptions = {}): Promise<void> {
    this.#refuseBlocked(instanceId, 'power off')
    await this.#call('POST', `/api/client/servers/${encodeURIComponent(instanceId)}/power`, { signal: 'stop' }, options.signal)
  }

  #refuseBlocked (instanceId: string, verb: string): void {
    const word = this.#blocked.get(instanceId)
    if (word !== undefined) throw new ConflictError(`cannot ${verb} ${instanceId}: the server is ${word.replace('_', ' ')}, and the panel refuses power requests until that ends`, { state: word })
  }

  async close (): Promise<void> {
    this.#queue.clear()
  }

  /** Live stats of one server, or null when only this server's stats failed (Wings down, 409 while installing). */
  async #stats (server: RawServer, signal: AbortSignal | undefined): Promise<RawStats | null> {
    try {
      const body = await this.#call('GET', `/api/client/servers/${encodeURIComponent(server.identifier)}/resources`, undefined, signal)
      if (!validStats(body)) throw new ProviderResponseError(`Pterodactyl resources of ${server.identifier}: unexpected answer: ${formatAjvErrors(validStats.errors, 'body')[0]}`)
      return (body as { attributes: RawStats }).attributes
    } catch (err) {
      if (err instanceof ProviderAuthError || signal?.aborted || !(err instanceof ProviderError)) throw err
      this.#deps.log.debug({ server: server.identifier, error: (err as Error).message }, 'no live stats for a server')
      return null
    }
  }

  async #call (method: Method, path: string, body: object | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const what = `Pterodactyl ${method} ${path.split('?')[0]}`
    const response = await this.#queue.add(async () => await send(this.#deps.http, {
      method,
      url: `${this.#config.baseUrl}${path}`,
      data: body,
      headers: {
        accept: ACCEPT,
        authorization: `Bearer ${this.#config.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' })
      },
      signal,
      ...(method === 'GET' ? RETRY_READS : {})
    }, what), { signal }) as AxiosResponse
    return readAnswer(response, what)
  }
}

/** 2xx body (204: null), or the panel's `errors[]` as a typed error. */
function readAnswer (response: AxiosResponse, what: string): unknown {
  const { status } = response
  if (status === 204) return null
  if (status >= 200 && status < 300) {
    if (typeof response.data !== 'object' || response.data === null) throw new ProviderResponseError(`${what}: the answer is not JSON`)
    return response.data
  }
  if (status >= 300 && status < 400) {
    throw new ProviderAuthError(`${what}: the panel redirected to ${String(response.headers['location'] ?? 'its login page')}; is baseUrl the panel's address?`)
  }
  const first = (response.data as { errors?: Array<{ code?: string; detail?: string }> } | undefined)?.errors?.[0]
  if (!first) throw new ProviderHttpError(`${what}: HTTP ${status}`, status)
  if (status === 401) throw new ProviderAuthError(`Pterodactyl rejected the API key (${first.code}: ${first.detail}); create a client key under Account → API Credentials`)
  if (status === 403 && /API key|IP address/i.test(first.detail ?? '')) throw new ProviderAuthError(`Pterodactyl refused the key: ${first.detail}`)
  if (status === 409) throw new ConflictError(`${what}: ${first.detail ?? 'the server\'s state does not allow it'}`, { panelCode: first.code })
  throw new ProviderApiError(first.code ?? String(status), first.detail ?? '', `${what} (HTTP ${status})`)
}
