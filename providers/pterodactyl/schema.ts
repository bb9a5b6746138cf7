/** Pterodactyl entry options (reference/providers.md §4). */
export interface PterodactylOptions {
  /** Panel origin, e.g. `https://panel.example.com`. */
  baseUrl: string
  /** Client API key `ptlc_…` (Account → API Credentials). */
  apiKey: string
  /** Parallel `/resources` requests at most (default 4). */
  concurrency?: number
  /**
   * Requests per minute this entry sends at most (default 600). A panel allows 720 per user unless its
   * admin changed `APP_API_CLIENT_RATELIMIT`; raise this only to match such a panel.
   */
  requestsPerMinute?: number
}

export type PterodactylConfig = Required<PterodactylOptions>

export const pterodactylConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl', 'apiKey'],
  properties: {
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
    apiKey: {
      type: 'string',
      // Keys created before 2022 have no prefix: 16 + 32 characters (pterodactyl/panel b051718); accepted with a warning.
      pattern: '^(ptlc_[A-Za-z0-9]{16,}|[A-Za-z0-9]{48})$',
      errorMessage: { pattern: 'must be a client API key "ptlc_…" (Account → API Credentials; keys from before 2022 are 48 characters without a prefix); application keys (ptla_) do not work on the client API' }
    },
    concurrency: { type: 'integer', minimum: 1, maximum: 16, default: 4 },
    requestsPerMinute: { type: 'integer', minimum: 10, maximum: 100000, default: 600 }
  }
} as const

export function normalizePterodactylOptions (options: PterodactylOptions): PterodactylConfig {
  return { concurrency: 4, requestsPerMinute: 600, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') }
}
