/** BoardMate entry options (seed 002, §4.7). */
export interface BoardmateOptions {
  /** The BoardMate site, e.g. `https://fmdb.maybeisfree.host`. */
  baseUrl: string
  /** The site's API key (printed when BoardMate first starts; 50 letters and digits). */
  apiKey: string
  /** Discord user id (snowflake) whose servers to list. */
  discordUserId: string
}

export type BoardmateConfig = BoardmateOptions

export const boardmateConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl', 'apiKey', 'discordUserId'],
  properties: {
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
    apiKey: { type: 'string', minLength: 8 },
    discordUserId: {
      type: 'string',
      pattern: '^[0-9]{5,25}$',
      errorMessage: { pattern: 'must be a Discord user id (digits, as a string; Discord: Settings → Advanced → Developer Mode → Copy User ID)' }
    }
  }
} as const

export function normalizeBoardmateOptions (options: BoardmateOptions): BoardmateConfig {
  return { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') }
}
