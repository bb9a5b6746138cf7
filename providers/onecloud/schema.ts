/** OneCloud entry options (seed 004, reference/providers.md §5). */
export interface OnecloudOptions {
  /** Phone number, or an e-mail address (then the e-mail login is used). */
  user: string
  password: string
  /** App version sent with every call (default 1.6.2, as in the captures). */
  appVersion?: string
  /** Default `https://account.onethingpcs.com`. */
  accountBaseUrl?: string
  /** Default `https://control.onethingpcs.com`. */
  controlBaseUrl?: string
}

export type OnecloudConfig = Required<OnecloudOptions>

export const onecloudConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['user', 'password'],
  properties: {
    user: { type: 'string', minLength: 3 },
    password: { type: 'string', minLength: 1 },
    appVersion: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$', default: '1.6.2' },
    accountBaseUrl: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://account.onethingpcs.com' },
    controlBaseUrl: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://control.onethingpcs.com' }
  }
} as const

export function normalizeOnecloudOptions (options: OnecloudOptions): OnecloudConfig {
  const trim = (url: string): string => url.replace(/\/+$/, '')
  return {
    ...options,
    appVersion: options.appVersion ?? '1.6.2',
    accountBaseUrl: trim(options.accountBaseUrl ?? 'https://account.onethingpcs.com'),
    controlBaseUrl: trim(options.controlBaseUrl ?? 'https://control.onethingpcs.com')
  }
}
