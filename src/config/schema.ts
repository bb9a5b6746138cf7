/**
 * The root of the configuration file. Each `providers[]` entry is first checked here for the keys
 * every entry has (`id`, `type`, `proxy`), then against its provider type's own schema.
 */

import type { ProviderDefinition } from '../core/provider.js'

/** Keys every provider entry has, whatever its type. Everything else belongs to the type's schema. */
export const COMMON_ENTRY_KEYS = ['id', 'type', 'proxy'] as const

/** Proxy URLs the proxy agent understands. */
export const PROXY_URL_PATTERN = '^(https?|socks[45]?h?|socks)://[^\\s]+$'

const proxy = {
  type: ['string', 'null'],
  pattern: PROXY_URL_PATTERN,
  default: null,
  errorMessage: { pattern: 'must be a proxy URL such as http://127.0.0.1:7890 or socks5://127.0.0.1:1080' }
}

export const rootSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['providers'],
  properties: {
    $schema: { type: 'string' },
    store: {
      type: 'string',
      pattern: '^(file:.+|rediss?://.+)$',
      default: 'file:./data/computewatch.json',
      errorMessage: { pattern: 'must be file:<path> or redis://host:port' }
    },
    pollIntervalSeconds: { type: 'integer', minimum: 5, maximum: 86400, default: 60 },
    pollTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 30 },
    api: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
        apiKeys: {
          type: 'array',
          default: [],
          items: {
            type: 'string',
            minLength: 16,
            errorMessage: { minLength: 'must be at least 16 characters (generate one with: openssl rand -hex 24)' }
          }
        }
      }
    },
    telegram: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        token: {
          type: ['string', 'null'],
          pattern: '^[0-9]+:[A-Za-z0-9_-]+$',
          default: null,
          errorMessage: { pattern: 'must be a bot token from @BotFather, like 123456789:AA…' }
        },
        apiRoot: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://api.telegram.org' },
        proxy,
        allowedUserIds: { type: 'array', items: { type: 'integer', minimum: 1 }, uniqueItems: true, default: [] },
        language: { type: 'string', enum: ['zh', 'en'], default: 'zh' },
        accounts: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: { type: 'boolean', default: true },
            baseUrl: { type: 'string', format: 'uri', pattern: '^https?://', default: 'https://www.autodl.com' },
            proxy
          }
        }
      },
      if: { properties: { token: { type: 'string' } }, required: ['token'] },
      then: {
        required: ['allowedUserIds'],
        properties: { allowedUserIds: { type: 'array', minItems: 1 } },
        errorMessage: 'allowedUserIds must list at least one Telegram user id when token is set (the bot refuses everyone else and tells them their id)'
      }
    },
    providers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'type'],
        properties: {
          id: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
            errorMessage: { pattern: 'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit' }
          },
          type: { type: 'string', minLength: 1 },
          proxy
        }
      }
    }
  }
} as const

/** Telegram bot settings after validation. */
export interface TelegramConfig {
  /** Bot token; null turns the bot off. */
  token: string | null
  /** Bot API root URL (a local Bot API server or an emulator in tests). */
  apiRoot: string
  /** Proxy URL for reaching Telegram; null for direct. */
  proxy: string | null
  /** Telegram user ids allowed to use the bot. */
  allowedUserIds: number[]
  /** Language of every bot message. */
  language: 'zh' | 'en'
  /** AutoDL accounts users add with /user and /password (seed 000). */
  accounts: {
    /** Allow /user and /password. */
    enabled: boolean
    /** AutoDL web origin those accounts use. */
    baseUrl: string
    /** Proxy for those accounts' AutoDL calls; null for direct. */
    proxy: string | null
  }
}

/** One provider entry after validation: the common keys plus the type's own (normalized) options. */
export interface ProviderEntryConfig {
  id: string
  /** The provider type; for a plugin, the type its definition declares. */
  type: string
  /** For a plugin: the module specifier written as `type` in the file. */
  module?: string | undefined
  /**
   * Why a plugin entry cannot run (the module did not load, or its options are invalid for it). The
   * host still starts; the entry reports this on every poll. Built-in entries never have one: their
   * problems are configuration errors.
   */
  failure?: string | undefined
  /** Proxy URL for this entry's outbound calls; null for direct. */
  proxy: string | null
  /** The provider type's own options, validated by its schema and normalized. */
  options: Record<string, unknown>
}

/** The whole configuration after validation and defaults. */
export interface HostConfig {
  /** `file:<path>` or `redis://…`. */
  store: string
  /** Seconds between two polls of one provider entry. */
  pollIntervalSeconds: number
  /** Seconds one poll may take before it counts as failed. */
  pollTimeoutSeconds: number
  api: { host: string; port: number; apiKeys: string[] }
  telegram: TelegramConfig
  providers: ProviderEntryConfig[]
  /** Provider definitions loaded from modules named in the file (plugins), to add to the registry. */
  pluginDefinitions: ProviderDefinition[]
  /** Folder that relative paths (store file) resolve against: the config file's folder. */
  baseDir: string
}
