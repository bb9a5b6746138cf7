import { NotSupportedError, ProviderApiError, ProviderAuthError, ProviderHttpError, ProviderResponseError, READ_ONLY, formatAjvErrors, send, type AccountDetails, type CallOptions, type InstanceData, type PowerOnMode, type Provider, type ProviderCapabilities, type ProviderDeps } from '../../src/index.js'
import { toAccount, toInstances, validUser, type RawUser } from './map.js'
import type { BoardmateConfig } from './schema.js'

/**
 * One Discord user of a BoardMate site (seed 002, reference/providers.md §4.7): `GET
 * /api/user/<discordUserId>` with the API key in the form field `key` — on GET too, as BoardMate reads
 * `request.form['key']` for every method. Each server becomes an instance with state `unknown` (BoardMate
 * has no live state; power goes through the Pterodactyl panel behind it), its limits in `metrics` and its
 * panel `url`. The balance and quota are the entry's account details. Read-only.
 */
export class BoardmateProvider implements Provider {
  readonly capabilities: ProviderCapabilities = { powerOn: false, powerOff: false, noGpuMode: false, releaseAfterStopSeconds: null }

  readonly #config: BoardmateConfig
  readonly #deps: ProviderDeps
  #account: AccountDetails | null = null

  constructor (config: BoardmateConfig, deps: ProviderDeps) {
    this.#config = config
    this.#deps = deps
    deps.secrets.add(config.apiKey)
  }

  async authenticate (): Promise<void> {}

  async listInstances (options: CallOptions = {}): Promise<InstanceData[]> {
    const user = await this.#user(options.signal)
    this.#account = toAccount(user)
    return toInstances(user)
  }

  accountDetails (): AccountDetails | null {
    return this.#account
  }

  async powerOn (_instanceId: string, _options: CallOptions & { mode: PowerOnMode }): Promise<void> {
    throw new NotSupportedError('powerOn', 'boardmate')
  }

  async powerOff (_instanceId: string, _options?: CallOptions): Promise<void> {
    throw new NotSupportedError('powerOff', 'boardmate')
  }

  async #user (signal: AbortSignal | undefined): Promise<RawUser> {
    const path = `/api/user/${encodeURIComponent(this.#config.discordUserId)}`
    const what = `BoardMate GET ${'/api/user/<id>'}`
    const response = await send(this.#deps.http, {
      method: 'GET',
      url: `${this.#config.baseUrl}${path}`,
      data: new URLSearchParams({ key: this.#config.apiKey }).toString(),
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      signal,
      ...READ_ONLY
    }, what)
    const body = response.data as { code?: number; message?: string } | undefined
    if (response.status === 403) throw new ProviderAuthError(`BoardMate rejected the API key (${body?.message ?? 'HTTP 403'}); use the key BoardMate printed at its first start (data/api.json)`)
    if (response.status === 404) throw new ProviderApiError('404', body?.message ?? '', `BoardMate has no user with Discord id ${this.#config.discordUserId}`)
    if (response.status === 400) throw new ProviderApiError('400', body?.message ?? '', 'BoardMate did not accept the request (the key must be sent as a form field)')
    if (response.status !== 200) throw new ProviderHttpError(`${what}: HTTP ${response.status}`, response.status)
    if (!validUser(response.data)) throw new ProviderResponseError(`${what}: unexpected answer: ${formatAjvErrors(validUser.errors, 'data')[0] ?? 'not JSON'}`)
    return response.data as RawUser
  }
}
