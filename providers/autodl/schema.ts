import { createHash } from 'node:crypto'

/** AutoDL entry options as written in the config file. */
export interface AutodlOptions {
  /** Login phone number, digits only. Needed with `password` / `passwordSha1`. */
  phone?: string
  /** Plain password. Hashed to SHA-1 hex at load (reference/providers.md §1.3); the plain text is not kept. */
  password?: string
  /** Lowercase hex SHA-1 of the password, as the web login sends it. */
  passwordSha1?: string
  /** A web token copied from the browser (DevTools → any /api/v1 request → `authorization`). A leading `Bearer ` is stripped. */
  token?: string
  /** Phone country code, default `+86`. */
  phoneArea?: string
  /** Web console origin, default `https://www.autodl.com`; point it at any AutoDL-compatible server. */
  baseUrl?: string
}

/** AutoDL options after normalization: never a plain password. */
export type AutodlConfig =
  | { phone: string; passwordSha1: string; phoneArea: string; baseUrl: string; token?: undefined }
  | { token: string; phoneArea: string; baseUrl: string; phone?: string | undefined; passwordSha1?: undefined }

export const autodlConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phone: {
      type: 'string',
      pattern: '^[0-9]{5,20}$',
      errorMessage: { pattern: 'must be the login phone number, digits only (as a string: "13800000000")' }
    },
    password: { type: 'string', minLength: 1 },
    passwordSha1: {
      type: 'string',
      pattern: '^[0-9a-fA-F]{40}$',
      errorMessage: { pattern: 'must be 40 hex characters: the SHA-1 of the password' }
    },
    token: { type: 'string', minLength: 8 },
    phoneArea: {
      type: 'string',
      pattern: '^\\+[0-9]{1,4}$',
      default: '+86',
      errorMessage: { pattern: 'must be a country code like "+86"' }
    },
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://www.autodl.com' }
  },
  oneOf: [{ required: ['password'] }, { required: ['passwordSha1'] }, { required: ['token'] }],
  dependencies: { password: ['phone'], passwordSha1: ['phone'] },
  errorMessage: {
    oneOf: 'set exactly one of password, passwordSha1 or token',
    dependencies: 'phone is required with password or passwordSha1'
  }
} as const

/** SHA-1 of `text` as lowercase hex: what AutoDL's `new_login` expects in `password` (§1.3). */
export function sha1Hex (text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex')
}

/** Hash the password, strip `Bearer ` from a pasted token, trim the base URL. */
export function normalizeAutodlOptions (options: AutodlOptions): AutodlConfig {
  const phoneArea = options.phoneArea ?? '+86'
  const baseUrl = (options.baseUrl ?? 'https://www.autodl.com').replace(/\/+$/, '')
  if (options.token !== undefined) {
    return { token: options.token.replace(/^Bearer\s+/i, '').trim(), phone: options.phone, phoneArea, baseUrl }
  }
  const passwordSha1 = options.passwordSha1?.toLowerCase() ?? sha1Hex(options.password ?? '')
  return { phone: options.phone ?? '', passwordSha1, phoneArea, baseUrl }
}
