/** Nezha entry options (reference/providers.md §2). */
export interface NezhaOptions {
  /** Dashboard origin, e.g. `https://status.example.com`. */
  baseUrl: string
  /** `auto` (default) detects from the answers; `v0` is the legacy API; `v1` covers v1 and v2. */
  apiVersion?: 'auto' | 'v0' | 'v1'
  /** v0: an API token from the dashboard (sent raw). v1/v2: a personal access token `nzp_…`. */
  token?: string
  /** v1/v2 login (JWT, 1 h by default, bound to this host's IP). */
  username?: string
  password?: string
  /** v0 only: list only this server group. */
  tag?: string
  /** An agent that has not reported for this long is `offline` (default 60). */
  offlineAfterSeconds?: number
}

export type NezhaConfig = Required<Pick<NezhaOptions, 'baseUrl' | 'apiVersion' | 'offlineAfterSeconds'>> & Omit<NezhaOptions, 'baseUrl' | 'apiVersion' | 'offlineAfterSeconds'>

export const nezhaConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl'],
  properties: {
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
    apiVersion: { type: 'string', enum: ['auto', 'v0', 'v1'], default: 'auto' },
    token: { type: 'string', minLength: 8 },
    username: { type: 'string', minLength: 1 },
    password: { type: 'string', minLength: 1 },
    tag: { type: 'string', minLength: 1 },
    offlineAfterSeconds: { type: 'integer', minimum: 5, maximum: 86400, default: 60 }
  },
  anyOf: [{ required: ['token'] }, { required: ['username', 'password'] }],
  dependencies: { username: ['password'], password: ['username'] },
  allOf: [
    {
      if: { required: ['apiVersion'], properties: { apiVersion: { const: 'v0' } } },
      then: { required: ['token'], not: { required: ['username'] } },
      errorMessage: 'apiVersion "v0" has no login: set token (an API token from the dashboard) and no username/password'
    },
    {
      if: { required: ['apiVersion'], properties: { apiVersion: { const: 'v1' } } },
      then: { not: { required: ['tag'] } },
      errorMessage: 'tag applies to apiVersion "v0" only'
    },
    {
      // An explicit version is obeyed, so a token that cannot work with it is an error, not a silent probe.
      if: { required: ['apiVersion', 'token'], properties: { apiVersion: { const: 'v1' } } },
      then: { properties: { token: { type: 'string', pattern: '^nzp_' } } },
      errorMessage: 'apiVersion "v1" (v1 and v2 dashboards) takes a personal access token nzp_… or username and password; this token looks like a v0 API token: set apiVersion "v0", or replace the token'
    },
    {
      not: { required: ['token', 'username'] },
      errorMessage: 'set token or username and password, not both: remove token to log in with the password, or remove username and password to use the token'
    }
  ],
  errorMessage: {
    anyOf: 'set token (a v0 API token, or a v1/v2 personal access token nzp_…) or username and password (v1/v2 login)',
    dependencies: 'username and password go together'
  }
} as const

export function normalizeNezhaOptions (options: NezhaOptions): NezhaConfig {
  return {
    ...options,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    apiVersion: options.apiVersion ?? 'auto',
    offlineAfterSeconds: options.offlineAfterSeconds ?? 60
  }
}
