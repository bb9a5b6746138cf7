/**
 * The normalized instance: the one public contract the status API, the Telegram bot and every
 * provider share. Providers return {@link InstanceData}; the aggregator stamps the entry's id and
 * type and the `stale` flag to make an {@link Instance}.
 */

/** Every state an instance can be in, whatever its provider. A union, not an enum. */
export const INSTANCE_STATES = ['running', 'starting', 'stopping', 'stopped', 'error', 'unknown'] as const
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
  /** True when this is the last good data of a provider whose latest poll failed. */
  stale: boolean
}

/** What a provider's `listInstances()` returns: an {@link Instance} without the fields the host fills in. */
export type InstanceData = Omit<Instance, 'provider' | 'providerType' | 'stale'>

const nullableString = { type: ['string', 'null'] } as const
const nullableCount = { type: ['integer', 'null'], minimum: 0 } as const
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const

/** JSON schema of {@link Instance} (`$id: Instance`), used by the API's response schemas and the tests. */
export const instanceSchema = {
  $id: 'Instance',
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'providerType', 'id', 'name', 'region', 'state', 'providerState', 'gpu',
    'stoppedAt', 'releaseAt', 'pricePerHour', 'stale'],
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
    stale: { type: 'boolean', description: "True when the provider's last poll failed and this is its last good data." }
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
