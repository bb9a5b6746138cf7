/** computeshare entry options (seed 001, reference/providers.md §3). */
export interface ComputeshareOptions {
  /** Account name, by default the phone number. */
  username: string
  /** Password, sent as is to `loginWithClient` (the server hashes it). */
  password: string
  /** Public API prefix, default `https://computeshare.newtouch.com/api`. */
  baseUrl?: string
}

export type ComputeshareConfig = Required<ComputeshareOptions>

export const computeshareConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1 },
    password: { type: 'string', minLength: 1 },
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://computeshare.newtouch.com/api' }
  }
} as const

export function normalizeComputeshareOptions (options: ComputeshareOptions): ComputeshareConfig {
  return { ...options, baseUrl: (options.baseUrl ?? 'https://computeshare.newtouch.com/api').replace(/\/+$/, '') }
}
