import type { AccountDetails, CallOptions, InstanceData, MarketGpuCount, MarketHost, MarketReader, PowerOnMode, Provider, ProviderCapabilities, ProviderDeps } from '../../src/index.js'
import { AutodlClient } from './client.js'
import { PollMemo } from '../../src/index.js'
import { checkInstance, checkPayload, RELEASE_AFTER_STOP_DAYS, toInstance, type StopTimes } from './map.js'
import type { AutodlConfig } from './schema.js'

/** Page size asked for; the server may answer with a smaller one, so paging follows `max_page`. */
export const PAGE_SIZE = 100
/** Safety stop for a server that reports an absurd `max_page`. */
export const MAX_PAGES = 500
/** The wallet is read at most this often, milliseconds: a balance moves slowly, and each read is one more request. */
export const WALLET_EVERY_MS = 5 * 60_000
/** Pages of the machine list read for one market question, at most. */
export const MARKET_PAGES = 5

/** AutoDL web console account (reference/providers.md §1). */
export class AutodlProvider implements Provider {
  readonly capabilities: ProviderCapabilities = {
    powerOn: true,
    powerOff: true,
    noGpuMode: true,
    releaseAfterStopSeconds: RELEASE_AFTER_STOP_DAYS * 86400
  }

  readonly #client: AutodlClient
  readonly #deps: ProviderDeps
  #skipped = 0
  /** Stop and release times of each `stopped_at` seen, from one poll to the next. */
  readonly #stopTimes = new PollMemo<string, StopTimes>()
  readonly #now: () => number
  /** Balance in yuan from the latest wallet read, and when it was read (epoch ms); null before the first. */
  #wallet: { balanceYuan: number; readAt: number } | null = null

  constructor (config: AutodlConfig, deps: ProviderDeps, now?: () => number) {
    this.#deps = deps
    this.#now = now ?? Date.now
    this.#client = new AutodlClient({ config, http: deps.http, store: deps.store, log: deps.log, secrets: deps.secrets, now, onLogin: deps.onLogin })
  }

  async authenticate (_options?: CallOptions): Promise<void> {
    await this.#client.authenticate()
  }

  /**
   * `POST /api/v1/instance`, page by page up to `data.max_page` (§1.4). Duplicates across pages are
   * dropped; `list: null` is an empty page; a malformed instance is skipped with a warning naming it and
   * its field (counted by {@link skippedInstances}), the others stay listed.
   */
  async listInstances (options: CallOptions = {}): Promise<InstanceData[]> {
    const byId = new Map<string, InstanceData>()
    let skipped = 0
    let maxPage = 1
    try {
      for (let page = 1; page <= maxPage; page++) {
        if (page > MAX_PAGES) {
          this.#deps.log.warn({ maxPage }, `AutoDL reports more than ${MAX_PAGES} pages; listing stops there`)
          break
        }
        const data = await this.#client.call('/api/v1/instance', {
          date_from: '', date_to: '', page_index: page, page_size: PAGE_SIZE, status: [], charge_type: []
        }, { signal: options.signal, readOnly: true })
        const result = checkPayload('instancePage', data, `AutoDL POST /api/v1/instance page ${page}`)
        for (const [index, raw] of (result.list ?? []).entries()) {
          const checked = checkInstance(raw, index)
          if ('problem' in checked) {
            skipped++
            this.#deps.log.warn({ page }, `AutoDL listed a malformed instance; skipped: ${checked.problem}`)
            continue
          }
          byId.set(checked.instance.uuid, toInstance(checked.instance, this.#stopTimes))
        }
        maxPage = result.max_page
      }
    } finally {
      this.#stopTimes.rotate()
    }
    this.#skipped = skipped
    await this.#readWallet(options)
    return [...byId.values()]
  }

  /** The balance in yuan (`balanceYuan`), from `GET /api/v1/wallet`; null before it was first read. */
  accountDetails (): AccountDetails | null {
    return this.#wallet === null ? null : { balanceYuan: this.#wallet.balanceYuan }
  }

  /**
   * `GET /api/v1/wallet` → `data.assets` in milli-yuan (third-party clients: xiaoti12/autodl_bot,
   * JarvisFree/autodl-sdk), at most every {@link WALLET_EVERY_MS}. A failed read keeps the last balance
   * and is logged: the instances listed are still good.
   */
  async #readWallet (options: CallOptions): Promise<void> {
    if (this.#wallet !== null && this.#now() - this.#wallet.readAt < WALLET_EVERY_MS) return
    try {
      const data = await this.#client.call('/api/v1/wallet', {}, { signal: options.signal, method: 'GET', readOnly: true })
      const { assets } = checkPayload('wallet', data, 'AutoDL GET /api/v1/wallet')
      this.#wallet = { balanceYuan: assets / 1000, readAt: this.#now() }
    } catch (err) {
      if (options.signal?.aborted) throw err
      this.#deps.log.warn({ err: { message: (err as Error).message } }, 'could not read the AutoDL wallet; the balance shown is the last one read')
    }
  }

  skippedInstances (): number {
    return this.#skipped
  }

  /** `POST /api/v1/instance/power_on`; `payload: "non_gpu"` for no-GPU mode (seed 000, §1.5). Accepted asynchronously. */
  async powerOn (instanceId: string, options: CallOptions & { mode: PowerOnMode }): Promise<void> {
    const body = options.mode === 'no_gpu' ? { instance_uuid: instanceId, payload: 'non_gpu' } : { instance_uuid: instanceId }
    await this.#client.call('/api/v1/instance/power_on', body, { signal: options.signal })
  }

  /**
   * AutoDL's GPU market, read-only (the endpoints third-party clients use to find free GPUs before
   * renting; mfznttkx/autodl-gpuhunter gpuhunter/autodl_client.py `get_region_gpu_types`, `list_machine`):
   * - `POST /api/v1/machine/region/gpu_type {region_sign_list}` → idle and total GPUs per model;
   * - `POST /api/v1/user/machine/list {charge_type: "payg", region_sign_list, gpu_type_name, gpu_idle_num,
   *   page_index, page_size}` → hosts with `gpu_idle_num`, `gpu_order_num`, `payg_price` (milli-yuan per GPU-hour).
   * A host counts as available when both `gpu_idle_num` and `gpu_order_num` reach `minIdle`, as gpuhunter
   * decides. Nothing is ever ordered.
   */
  readonly market: MarketReader = {
    gpuCounts: async (regions: readonly string[], options: CallOptions = {}): Promise<MarketGpuCount[]> => {
      const data = await this.#client.call('/api/v1/machine/region/gpu_type', { region_sign_list: [...regions] }, { signal: options.signal, readOnly: true })
      const counts = checkPayload('regionGpuTypes', data, 'AutoDL POST /api/v1/machine/region/gpu_type')
      return counts.flatMap(entry => Object.entries(entry).map(([gpu, c]) => ({ gpu, idle: c.idle_gpu_num, total: c.total_gpu_num })))
    },
    hosts: async (query, options: CallOptions = {}): Promise<MarketHost[]> => {
      const found: MarketHost[] = []
      let maxPage = 1
      for (let page = 1; page <= Math.min(maxPage, MARKET_PAGES) && found.length < query.limit; page++) {
        const data = await this.#client.call('/api/v1/user/machine/list', {
          charge_type: 'payg', region_sign_list: [...query.regions], gpu_type_name: [query.gpu], gpu_idle_num: query.minIdle, page_index: page, page_size: 20
        }, { signal: options.signal, readOnly: true })
        const result = checkPayload('machinePage', data, `AutoDL POST /api/v1/user/machine/list page ${page}`)
        for (const m of result.list ?? []) {
          if (m.gpu_idle_num < query.minIdle || m.gpu_order_num < query.minIdle) continue
          found.push({ machineId: m.machine_id, name: m.machine_alias, region: m.region_name || null, regionCode: m.region_sign || null, gpu: m.gpu_name, idle: m.gpu_idle_num, pricePerGpuHour: m.payg_price / 1000 })
        }
        maxPage = result.max_page
      }
      return found.slice(0, query.limit)
    }
  }

  /** `POST /api/v1/instance/power_off` (§1.5). Accepted asynchronously. */
  async powerOff (instanceId: string, options: CallOptions = {}): Promise<void> {
    await this.#client.call('/api/v1/instance/power_off', { instance_uuid: instanceId }, { signal: options.signal })
  }
}
