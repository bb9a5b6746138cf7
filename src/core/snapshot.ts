import type { Instance } from './instance.js'
import type { AccountDetails, ProviderCapabilities } from './provider.js'

export type { AccountDetails, AccountValue } from './provider.js'

/** Health of one provider entry, as of its latest poll. */
export interface ProviderStatus {
  /** The config entry id. */
  id: string
  /** The provider type. */
  type: string
  /** True when the latest poll succeeded. False before the first poll finishes. */
  ok: boolean
  /** End of the latest successful poll, ISO 8601; null if none yet. */
  lastSuccessAt: string | null
  /** End of the latest failed poll, ISO 8601; null if none. */
  lastErrorAt: string | null
  /** Duration of the latest poll in milliseconds; null before the first one. */
  durationMs: number | null
  /** Instances in the view for this entry (last good data when failing). */
  instanceCount: number
  /** Why the latest poll failed (`code` is a `CW_ERR_*` code); null when ok. */
  error: { code: string; message: string } | null
  /** What the entry can do. */
  capabilities: ProviderCapabilities
  /**
   * Account facts the provider reports besides instances (BoardMate: balance and quota), as of the
   * latest successful poll; null when it has none. Up to two levels of plain values.
   */
  account: AccountDetails | null
  /** Instances the latest successful poll skipped because the provider sent them malformed (each logged with its field). */
  warnings: number
}


/** The aggregated view: every instance of every provider entry, and each entry's health. */
export interface Snapshot {
  /** When this view was last changed, ISO 8601. */
  generatedAt: string
  instances: Instance[]
  providers: ProviderStatus[]
}

export type { Viewer } from './visibility.js'

export const capabilitiesSchema = {
  $id: 'ProviderCapabilities',
  type: 'object',
  additionalProperties: false,
  required: ['powerOn', 'powerOff', 'noGpuMode', 'releaseAfterStopSeconds'],
  properties: {
    powerOn: { type: 'boolean' },
    powerOff: { type: 'boolean' },
    noGpuMode: { type: 'boolean', description: 'Power-on without GPU (AutoDL 无卡模式) is available.' },
    releaseAfterStopSeconds: { type: ['integer', 'null'], description: 'Seconds after a stop at which the provider releases an instance.' }
  }
} as const

/** JSON schema of {@link ProviderStatus} (`$id: ProviderStatus`). */
export const providerStatusSchema = {
  $id: 'ProviderStatus',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'ok', 'lastSuccessAt', 'lastErrorAt', 'durationMs', 'instanceCount', 'error', 'capabilities', 'account', 'warnings'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    ok: { type: 'boolean' },
    lastSuccessAt: { type: ['string', 'null'], format: 'date-time' },
    lastErrorAt: { type: ['string', 'null'], format: 'date-time' },
    durationMs: { type: ['number', 'null'], minimum: 0 },
    instanceCount: { type: 'integer', minimum: 0 },
    error: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } }
    },
    capabilities: { $ref: 'ProviderCapabilities#' },
    account: {
      type: ['object', 'null'],
      additionalProperties: { type: ['string', 'number', 'boolean', 'null', 'object'] },
      description: 'Account facts besides instances (e.g. BoardMate balance and quota).'
    },
    warnings: { type: 'integer', minimum: 0, description: 'Instances the latest successful poll skipped as malformed (the log names each and its field).' }
  }
} as const
