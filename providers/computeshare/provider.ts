import type { AxiosResponse, Method } from 'axios'
import { LoginRejectedError, NotSupportedError, ProviderApiError, ProviderAuthError, ProviderHttpError, ProviderResponseError, READ_ONLY, TokenSession, createCheckAjv, credentialId, formatAjvErrors, send, type CallOptions, type InstanceData, type LoginResult, type PowerOnMode, type Provider, type ProviderCapabilities, type ProviderDeps } from '../../src/index.js'
import { sandboxBody, toInstance, type RawComputeshareInstance } from './map.js'
import type { ComputeshareConfig, SandboxResult, SandboxSpec, SpecPrice } from './schema.js'

/** Success envelope `{code: 200, message: "success", data}` (§3.3: 200, not 0). */
interface Envelope { code: number; message?: string; data?: unknown }
/** kratos error body, HTTP status = `code` (§3.2–3.3). */
interface KratosError { code: number; reason?: string; message?: string }

const LOGIN_TIMEOUT_MS = 30_000
const ajv = createCheckAjv()
const validInstances = ajv.compile({
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'name', 'status', 'expirationTime'],
    properties: {
      id: { type: 'string', minLength: 1 },
      name: { type: 'string' },
      status: { type: 'integer' },
      expirationTime: { type: 'string', pattern: '^[0-9]*$' },
      stats: { type: ['array', 'null'], items: { type: 'object', properties: { cpuUsage: { type: 'number' } } } }
    }
  }
})
const validSandbox = ajv.compile({
  type: 'object',
  required: ['instanceId', 'networkMappings'],
  properties: {
    instanceId: { type: 'string', minLength: 1 },
    networkMappings: {
      type: 'array',
      items: { type: 'object', required: ['name', 'computerPort', 'serverIp', 'serverPort'], properties: { serverIp: { type: 'string' }, serverPort: { type: 'integer' } } }
    }
  }
})

/**
 * A computeshare (共享算力) account (seed 001, reference/providers.md §3): CPU VMs with a rental term.
 * - `POST /v1/user/loginWithClient` → token (Bearer, 20 years); HTTP 401 → log in again once (shared).
 * - `code` 200 is success; another `code` in a 2xx body is an error; kratos errors `{code, reason,
 *   message}` surface with their reason.
 * - Start/stop are `PUT /v1/instance/{id}/start|stop` with `{}`; asynchronous; never repeated blindly.
 */
export class ComputeshareProvider implements Provider {
  readonly capabilities: ProviderCapabilities = { powerOn: true, powerOff: true, noGpuMode: false, releaseAfterStopSeconds: null }

  readonly #config: ComputeshareConfig
  readonly #deps: ProviderDeps
  readonly #session: TokenSession

  constructor (config: ComputeshareConfig, deps: ProviderDeps) {
    this.#config = config
    this.#deps = deps
    deps.secrets.add(config.password)
    this.#session = new TokenSession({
      label: 'computeshare',
      store: deps.store,
      onLogin: deps.onLogin,
      log: deps.log,
      secrets: deps.secrets,
      credentialId: credentialId(config.baseUrl, config.username, config.password),
      login: () => this.#logIn()
    })
  }

  async authenticate (): Promise<void> {
    await this.#session.token()
  }

  /** `GET /v1/instance`: every VM of the account (no paging, §3.4); deleted ones are dropped. */
  async listInstances (options: CallOptions = {}): Promise<InstanceData[]> {
    const data = await this.#call('GET', '/v1/instance', undefined, options.signal)
    if (!validInstances(data)) {
      throw new ProviderResponseError(`computeshare GET /v1/instance: unexpected answer: ${formatAjvErrors(validInstances.errors, 'data')[0]}`)
    }
    return (data as RawComputeshareInstance[]).map(toInstance).filter((i): i is InstanceData => i !== null)
  }

  /** `PUT /v1/instance/{id}/start` with `{}` (§3.4). There is no no-GPU mode. */
  async powerOn (instanceId: string, options: CallOptions & { mode: PowerOnMode }): Promise<void> {
    if (options.mode === 'no_gpu') throw new NotSupportedError('powerOn in no-GPU mode', 'computeshare')
    await this.#call('PUT', `/v1/instance/${encodeURIComponent(instanceId)}/start`, {}, options.signal)
  }

  /** `PUT /v1/instance/{id}/stop` with `{}` (§3.4). */
  async powerOff (instanceId: string, options: CallOptions = {}): Promise<void> {
    await this.#call('PUT', `/v1/instance/${encodeURIComponent(instanceId)}/stop`, {}, options.signal)
  }

  /**
   * `GET /v1/compute/spec/price?specId=`: the term and price a VM of this spec is rented for.
   * @throws ProviderResponseError when the answer has no `day` and `cycle`.
   */
  async specPrice (specId: number, options: CallOptions = {}): Promise<SpecPrice> {
    const data = await this.#call('GET', `/v1/compute/spec/price?specId=${encodeURIComponent(String(specId))}`, undefined, options.signal) as Partial<SpecPrice> | null
    if (typeof data?.day !== 'number' || typeof data.cycle !== 'number') {
      throw new ProviderResponseError(`computeshare GET /v1/compute/spec/price: unexpected answer for spec ${specId}: data.day and data.cycle must be numbers`)
    }
    return { day: data.day, cycle: data.cycle }
  }

  /**
   * `POST /v1/sandbox` (seed 001): rent a VM with a docker-compose file and public port mappings, for
   * the spec's term and price ({@link specPrice}); never retried.
   * @returns the new instance id and the public `ip:port` of each mapping.
   */
  async createSandbox (spec: SandboxSpec, options: CallOptions = {}): Promise<SandboxResult> {
    this.#deps.secrets.add(spec.password)
    const data = await this.#call('POST', '/v1/sandbox', sandboxBody(spec), options.signal)
    if (!validSandbox(data)) {
      throw new ProviderResponseError(`computeshare POST /v1/sandbox: unexpected answer: ${formatAjvErrors(validSandbox.errors, 'data')[0]}`)
    }
    const result = data as { instanceId: string; networkMappings: Array<{ name: string; computerPort: number; serverIp: string; serverPort: number }> }
    return {
      instanceId: result.instanceId,
      mappings: result.networkMappings.map(m => ({ name: m.name, computerPort: m.computerPort, publicAddress: `${m.serverIp}:${m.serverPort}` }))
    }
  }

  async #call (method: Method, path: string, body: object | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    let token = await this.#session.token()
    let response = await this.#request(method, path, body, token, signal)
    if (response.status === 401) {
      this.#deps.log.info({ path }, 'computeshare token rejected; logging in again')
      token = await this.#session.renew(token, kratosMessage(response.data) ?? 'HTTP 401')
      response = await this.#request(method, path, body, token, signal)
      // A fresh token rejected counts as a failed login: renew throws, as the next login must wait.
      if (response.status === 401) await this.#session.renew(token, kratosMessage(response.data) ?? 'HTTP 401')
      if (response.status === 401) throw new ProviderAuthError(`computeshare rejected a freshly issued token (${kratosMessage(response.data) ?? 'HTTP 401'})`)
    }
    await this.#session.accepted(token)
    return envelopeData(response, `computeshare ${method} ${path}`)
  }

  async #logIn (): Promise<LoginResult> {
    const what = 'computeshare POST /v1/user/loginWithClient'
    const response = await this.#request('POST', '/v1/user/loginWithClient',
      { username: this.#config.username, password: this.#config.password }, null, AbortSignal.timeout(LOGIN_TIMEOUT_MS))
    const error = response.data as Partial<KratosError> | undefined
    if (response.status >= 400 && response.status < 500) {
      throw new LoginRejectedError(`${error?.reason || `HTTP ${response.status}`}${error?.message ? ` (${error.message})` : ''}`)
    }
    // An unknown user: the server passes ent's "not found" through, which kratos answers as HTTP 500 with
    // an empty reason (computeshare-server `internal/data/user.go` on branch feature/cycle). A refused login, not an outage.
    if (response.status === 500 && !error?.reason && /not found/i.test(error?.message ?? '')) {
      throw new LoginRejectedError(`unknown user "${this.#config.username}" (${error?.message})`)
    }
    const data = envelopeData(response, what) as { token?: unknown } | null
    if (typeof data?.token !== 'string' || data.token === '') throw new ProviderResponseError(`${what}: unexpected answer: data.token: is required`)
    return { token: data.token, expiresAt: jwtExpiry(data.token) }
  }

  async #request (method: Method, path: string, body: object | undefined, token: string | null, signal: AbortSignal | undefined): Promise<AxiosResponse> {
    return await send(this.#deps.http, {
      method,
      url: `${this.#config.baseUrl}${path}`,
      data: body,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token === null ? {} : { authorization: `Bearer ${token}` })
      },
      signal,
      // kratos puts its reason in 5xx bodies too; read them instead of retrying.
      validateStatus: () => true,
      ...(method === 'GET' ? READ_ONLY : {})
    }, `computeshare ${method} ${path}`)
  }
}

/** `data` of a `{code: 200}` envelope. @throws ProviderApiError (kratos reason, or a non-200 code), ProviderHttpError, ProviderResponseError */
function envelopeData (response: AxiosResponse, what: string): unknown {
  const body = response.data as Partial<Envelope & KratosError> | undefined
  const isObject = typeof body === 'object' && body !== null
  if (response.status >= 300) {
    if (isObject && typeof body.code === 'number') {
      throw new ProviderApiError(body.reason || String(body.code), body.message ?? '', `${what} (HTTP ${response.status})`)
    }
    throw new ProviderHttpError(`${what}: HTTP ${response.status}`, response.status)
  }
  if (!isObject || typeof body.code !== 'number') throw new ProviderResponseError(`${what}: the answer is not a computeshare envelope {code, message, data}`)
  if (body.code !== 200) throw new ProviderApiError(body.reason || String(body.code), body.message ?? '', what)
  return body.data ?? null
}

function kratosMessage (body: unknown): string | undefined {
  const b = body as Partial<KratosError> | undefined
  return typeof b?.message === 'string' ? `${b.reason ?? ''}: ${b.message}`.replace(/^: /, '') : undefined
}

/** The `exp` claim of a JWT in milliseconds, or null when it cannot be read (then only a 401 renews it). */
function jwtExpiry (token: string): number | null {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown; ExpiresAt?: unknown }
    const exp = typeof claims.exp === 'number' ? claims.exp : typeof claims.ExpiresAt === 'number' ? claims.ExpiresAt : null
    return exp === null ? null : exp * 1000
  } catch {
    return null
  }
}
