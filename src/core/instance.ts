/**
 * The normalized instance: the one public contract the status API, the Telegram bot and every
 * provider share. Providers return {@link InstanceData}; the aggregator stamps the entry's id and
 * type and the `stale` flag to make an {@link Instance}.
 */

/**
 * Every state an instance can be in, whatever its provider. A union, not an enum. `offline`: a
 * monitored machine whose agent stopped reporting (Nezha, OneCloud), as opposed to a rented instance
 * that was shut down (`stopped`).
 */
export const INSTANCE_STATES = ['running', 'starting', 'stopping', 'stopped', 'offline', 'error', 'unknown'] as const
export type InstanceState = typeof INSTANCE_STATES[number]

/** GPU facts of an instance. All counts are whole GPUs; null when the provider does not say. */
export interface InstanceGpu {
  /** GPU model, e.g. `RTX 3090`. */
  model: string | null
  /** GPUs the instance asks for when it powers on with GPU. */
  requested: number | null
  /** GPUs on the host machine the instance is bound to. */
  hostTotal: number | null
  /** GPUs idle on that host right now: can a GPU power-on succeed? */
  hostIdle: number | null
}

/** Live figures of a machine, in base units. Every field is null when the provider does not report it. */
export interface InstanceMetrics {
  /** CPU use, percent of the machine (0–100 × cores for some providers: as reported). */
  cpuPercent: number | null
  memoryUsedBytes: number | null
  /** Memory of the machine, or the memory limit of a container/game server. */
  memoryTotalBytes: number | null
  diskUsedBytes: number | null
  /** Disk of the machine, or the disk limit. */
  diskTotalBytes: number | null
  networkInBytesPerSecond: number | null
  networkOutBytesPerSecond: number | null
  /** One-minute load average. */
  load1: number | null
  uptimeSeconds: number | null
  /** GPU use, percent (the mean over the machine's GPUs). */
  gpuPercent: number | null
}

/** The keys of {@link InstanceMetrics}, in order. */
export const METRIC_KEYS = ['cpuPercent', 'memoryUsedBytes', 'memoryTotalBytes', 'diskUsedBytes', 'diskTotalBytes',
  'networkInBytesPerSecond', 'networkOutBytesPerSecond', 'load1', 'uptimeSeconds', 'gpuPercent'] as const satisfies ReadonlyArray<keyof InstanceMetrics>

/** An instance as the host publishes it. */
export interface Instance {
  /** The config entry's id, e.g. `lab` (or `tg-<userId>` for accounts added through the bot). */
  provider: string
  /** The provider type, e.g. `autodl`. */
  providerType: string
  /** The provider's own instance id (AutoDL: the instance uuid). */
  id: string
  /** Display name. */
  name: string
  /** Region name, e.g. `北京A区`; null when the provider has none. */
  region: string | null
  /** Normalized state. */
  state: InstanceState
  /** The provider's own status word, e.g. `shutdown`; kept even when `state` is `unknown`. */
  providerState: string
  /** GPU facts; null for instances without GPUs. */
  gpu: InstanceGpu | null
  /** When the instance was last shut down, ISO 8601 with offset; null if never or unknown. */
  stoppedAt: string | null
  /** When the provider will release (delete) the instance if it stays stopped, ISO 8601; null if not applicable. */
  releaseAt: string | null
  /** Price per hour in yuan (CNY); null when unknown. */
  pricePerHour: number | null
  /** When the machine last reported (monitoring agents), ISO 8601; null if never or not applicable. */
  lastSeenAt: string | null
  /** When a rental term ends (computeshare `expirationTime`), ISO 8601; null if none. */
  expiresAt: string | null
  /** Link to the instance in the provider's own panel; null if none. */
  url: string | null
  /** Live figures; null when the provider reports none. */
  metrics: InstanceMetrics | null
  /**
   * True when this is last-known data: the provider's latest poll failed, or it could not read this
   * instance's live state in the latest poll (e.g. a panel too slow for every server within the poll budget).
   */
  stale: boolean
  /**
   * When the host's stop timer powers the instance off, ISO 8601; absent while no timer is set. Set by
   * the host (`/on <instance> for 3h`, `stopAfter` of the power-on API), never by a provider.
   */
  stopAt?: string
}

/**
 * What a provider's `listInstances()` returns: an {@link Instance} without the fields the host fills
 * in (`provider`, `providerType`, `stale`). `lastSeenAt`, `expiresAt`, `url` may be left out (null) and
 * `metrics` may name only the figures the provider has.
 */
export type InstanceData = Omit<Instance, 'provider' | 'providerType' | 'stale' | 'lastSeenAt' | 'expiresAt' | 'url' | 'metrics' | 'stopAt'> & {
  /** True when the provider could not read this instance's live state in this poll and reports its last known one. */
  stale?: boolean
  lastSeenAt?: string | null
  expiresAt?: string | null
  url?: string | null
  metrics?: Partial<InstanceMetrics> | null
}

const nullableString = { type: ['string', 'null'] } as const
const nullableNumber = { type: ['number', 'null'] } as const
const nullableCount = { type: ['integer', 'null'], minimum: 0 } as const
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const

/** JSON schema of {@link Instance} (`$id: Instance`), used by the API's response schemas and the tests. */
export const instanceSchema = {
  $id: 'Instance',
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'providerType', 'id', 'name', 'region', 'state', 'providerState', 'gpu',
    'stoppedAt', 'releaseAt', 'pricePerHour', 'lastSeenAt', 'expiresAt', 'url', 'metrics', 'stale'],
  properties: {
    provider: { type: 'string', description: 'The config entry id, e.g. "lab".' },
    providerType: { type: 'string', description: 'Provider type, e.g. "autodl".' },
    id: { type: 'string', description: "The provider's instance id (AutoDL: uuid)." },
    name: { type: 'string' },
    region: { ...nullableString, description: 'Region name, e.g. "北京A区".' },
    state: { type: 'string', enum: [...INSTANCE_STATES] },
    providerState: { type: 'string', description: "The provider's own status word, e.g. \"shutdown\"." },
    gpu: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['model', 'requested', 'hostTotal', 'hostIdle'],
      properties: {
        model: nullableString,
        requested: { ...nullableCount, description: 'GPUs the instance requests.' },
        hostTotal: { ...nullableCount, description: 'GPUs on the host machine.' },
        hostIdle: { ...nullableCount, description: 'GPUs idle on the host machine now.' }
      }
    },
    stoppedAt: { ...nullableDateTime, description: 'Last shutdown, ISO 8601 with offset.' },
    releaseAt: { ...nullableDateTime, description: 'Release (data wipe) time while stopped, ISO 8601.' },
    pricePerHour: { type: ['number', 'null'], minimum: 0, description: 'Yuan per hour.' },
    lastSeenAt: { ...nullableDateTime, description: 'Last report of a monitoring agent, ISO 8601.' },
    expiresAt: { ...nullableDateTime, description: 'End of the rental term, ISO 8601.' },
    url: { ...nullableString, description: "The instance in the provider's panel." },
    metrics: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: [...METRIC_KEYS],
      description: 'Live figures in base units (bytes, bytes per second, seconds, percent).',
      properties: Object.fromEntries(METRIC_KEYS.map(k => [k, nullableNumber])) as Record<typeof METRIC_KEYS[number], typeof nullableNumber>
    },
    stale: { type: 'boolean', description: "True when this is last-known data: the provider's latest poll failed, or this instance's live state could not be read in it." },
    stopAt: { type: 'string', format: 'date-time', description: "When the host's stop timer powers the instance off (ISO 8601); absent while no timer is set." }
  }
} as const

/**
 * True when the instance's host has at least as many idle GPUs as the instance requests (one when the
 * request is unknown): a power-on with GPU can succeed now. False without GPU facts.
 */
export function hasIdleGpus (instance: Pick<Instance, 'gpu'>): boolean {
  const gpu = instance.gpu
  if (gpu === null || gpu.hostIdle === null) return false
  return gpu.hostIdle >= (gpu.requested ?? 1)
}

/**
 * Stamp a provider's instance with its entry and fill the optional parts: missing `lastSeenAt`,
 * `expiresAt`, `url` become null; a partial `metrics` gets every key (null where absent); a metrics
 * block with nothing in it is null; `stale` is true only when the provider said so. The result is a new
 * object of the named fields only (anything else a provider added is dropped).
 */
export function completeInstance (data: InstanceData, entry: { provider: string; providerType: string }): Instance {
  let metrics: InstanceMetrics | null = null
  const partial = data.metrics
  if (partial) {
    let any = false
    const full = {} as Record<keyof InstanceMetrics, number | null>
    for (const k of METRIC_KEYS) {
      const value = partial[k] ?? null
      full[k] = value
      if (value !== null) any = true
    }
    if (any) metrics = full as InstanceMetrics
  }
  return {
    provider: entry.provider,
    providerType: entry.providerType,
    id: data.id,
    name: data.name,
    region: data.region,
    state: data.state,
    providerState: data.providerState,
    gpu: data.gpu,
    stoppedAt: data.stoppedAt,
    releaseAt: data.releaseAt,
    pricePerHour: data.pricePerHour,
    lastSeenAt: data.lastSeenAt ?? null,
    expiresAt: data.expiresAt ?? null,
    url: data.url ?? null,
    metrics,
    stale: data.stale === true
  }
}
