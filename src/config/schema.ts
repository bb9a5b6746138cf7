/**
 * The root of the configuration file. Each `providers[]` entry is first checked here for the keys
 * every entry has (`id`, `type`, `proxy`), then against its provider type's own schema. The `alerts`
 * section and the webhook events come from the alert rules' declarations.
 */

import type { SchemaObject } from 'ajv'
import type { AnyProviderDefinition } from '../core/provider.js'

/** Keys every provider entry has, whatever its type. Everything else belongs to the type's schema. */
export const COMMON_ENTRY_KEYS = ['id', 'type', 'proxy', 'keepAlive', 'pollIntervalSeconds', 'budget'] as const

/** What an API key may do: `read` the view, audit and mutes; `control` power instances and set mutes. */
export const API_SCOPES = ['read', 'control'] as const
export type ApiScope = typeof API_SCOPES[number]

/**
 * What the configuration needs to know of an alert rule (the rules live in `src/alerts/rules/`, which
 * the composition root hands to {@link rootSchema}): its name (a key of `alerts.chatIds`), the events it
 * raises (allowed in `notify.webhooks[].events`), and its own settings under `alerts`, with their schemas
 * and defaults.
 */
export interface AlertRuleDeclaration {
  name: string
  events: readonly string[]
  config?: Readonly<Record<string, SchemaObject>> | undefined
}

/**
 * What the configuration needs to know of a notification channel type (the types live in
 * `src/notify/`, which the composition root hands to {@link rootSchema}): its `type` and the JSON
 * schema of its own options (beside the keys every channel has, {@link COMMON_CHANNEL_KEYS}).
 */
export interface ChannelTypeDeclaration {
  type: string
  schema: SchemaObject
  /** The vendor's page documenting what the channel sends. */
  docs?: string | undefined
}

/** Keys every `notify.channels[]` entry has, whatever its type. Everything else belongs to the type's schema. */
export const COMMON_CHANNEL_KEYS = ['type', 'name', 'events', 'language', 'maxAttempts'] as const

/** Channel and webhook names: the `channel` label in metrics, the targets of `alerts.routes`. */
const CHANNEL_NAME = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'

/** Proxy URLs the proxy agent understands. */
export const PROXY_URL_PATTERN = '^(https?|socks[45]?h?|socks)://[^\\s]+$'

const proxy = {
  type: ['string', 'null'],
  pattern: PROXY_URL_PATTERN,
  default: null,
  errorMessage: { pattern: 'must be a proxy URL such as http://127.0.0.1:7890 or socks5://127.0.0.1:1080' }
}

/**
 * The JSON schema of the whole file, with the `alerts` section and the webhook events assembled from `rules`.
 * @throws Error when two rules declare the same name or setting.
 */
export function rootSchema (rules: readonly AlertRuleDeclaration[], channelTypes: readonly ChannelTypeDeclaration[] = []): SchemaObject {
  const settings: Record<string, SchemaObject> = {}
  for (const rule of rules) {
    for (const [key, schema] of Object.entries(rule.config ?? {})) {
      if (key in settings || key === 'actionTimeoutSeconds' || key === 'chatIds' || key === 'routes') throw new Error(`alert setting "${key}" is declared twice`)
      settings[key] = schema
    }
  }
  const names = rules.map(r => r.name)
  if (new Set(names).size !== names.length) throw new Error('two alert rules share a name')
  return rootSchemaWith(names, rules.flatMap(r => r.events), settings, channelTypes.map(c => c.type))
}

const rootSchemaWith = (ruleNames: string[], events: string[], settings: Record<string, SchemaObject>, channelTypes: string[]): SchemaObject => ({
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
    replicas: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Several hosts on one Redis store (store: redis://…): one leader by a lease, the others follow. Ignored with a file store.',
      properties: {
        hostId: { type: ['string', 'null'], minLength: 1, maxLength: 100, pattern: '^[^\\s#]+$', default: null, description: 'This host\'s name among the replicas (shown in /healthz and computewatch_leader); null: <hostname>:<pid>.', errorMessage: { pattern: 'must be a name without spaces or #' } },
        leaseSeconds: { type: 'number', minimum: 1, maximum: 300, default: 7.5, description: 'How long the leader lease lasts without renewal, seconds; another host takes over within two of these after the leader is gone. Renewed every third of it.' }
      }
    },
    budget: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { monthlyYuan: { type: ['number', 'null'], exclusiveMinimum: 0, default: null, description: 'Monthly budget over every entry, in yuan; null: none. Automatic power-ons are refused once this month\'s observed cost (plus the action\'s projection) reaches it.' } }
    },
    pollTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 30 },
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxResponseMB: { type: 'number', exclusiveMinimum: 0, maximum: 1024, default: 20 },
        maxInstancesPerEntry: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 50_000 }
      }
    },
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
            // A string is a key; anything else must be the object form, whose own errors are reported (a bad scope names the scope).
            if: { type: 'string' },
            then: { type: 'string', minLength: 16, errorMessage: { minLength: 'must be a key of at least 16 characters (openssl rand -hex 24)' } },
            else: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'key', 'scopes'],
              properties: {
                name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
                key: { type: 'string', minLength: 16, errorMessage: { minLength: 'must be at least 16 characters (openssl rand -hex 24)' } },
                scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...API_SCOPES] } }
              },
              errorMessage: { type: 'must be a key of at least 16 characters (openssl rand -hex 24), or { "name", "key", "scopes": ["read", "control"] }' }
            }
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
        operatorUserIds: { type: 'array', items: { type: 'integer', minimum: 1 }, uniqueItems: true, default: [] },
        language: { type: 'string', enum: ['zh', 'en'], default: 'zh' },
        timeZone: { type: ['string', 'null'], minLength: 1, default: null },
        accounts: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: { type: 'boolean', default: true },
            type: { type: ['string', 'null'], minLength: 1, default: null },
            baseUrl: { type: ['string', 'null'], format: 'uri', pattern: '^https?://', default: null },
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
    alerts: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ...settings,
        actionTimeoutSeconds: { type: 'integer', minimum: 30, maximum: 7200, default: 600 },
        chatIds: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: Object.fromEntries(ruleNames.map(rule => [rule, { type: 'array', items: { type: 'integer' }, uniqueItems: true }]))
        },
        routes: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Per event, the names of the channels (`telegram`, webhooks, `notify.channels`) it goes to, instead of every channel that subscribes to it.',
          properties: Object.fromEntries(events.map(event => [event, { type: 'array', items: { type: 'string', pattern: CHANNEL_NAME }, uniqueItems: true }]))
        }
      }
    },
    notify: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        webhooks: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['url'],
            properties: {
              name: { type: 'string', pattern: CHANNEL_NAME, description: 'Names the webhook in metrics (`channel` label), logs and `alerts.routes`; default `webhook`, or `webhook-<n>` when there are several.' },
              url: { type: 'string', format: 'uri', pattern: '^https?://' },
              secret: { type: ['string', 'null'], minLength: 16, default: null },
              events: { type: 'array', items: { type: 'string', enum: ['*', ...events] }, uniqueItems: true, default: ['*'] },
              maxAttempts: { type: 'integer', minimum: 1, maximum: 20, default: 6 }
            }
          }
        },
        channels: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            required: ['type'],
            properties: {
              // No channel types handed over (a test of the rest of the file): every type is refused.
              type: channelTypes.length > 0 ? { type: 'string', enum: channelTypes } : { type: 'string', not: {} },
              name: { type: 'string', pattern: CHANNEL_NAME, description: 'Names the channel in metrics (`channel` label), logs and `alerts.routes`; default its type, or `<type>-<n>` when several share it.' },
              events: { type: 'array', items: { type: 'string', enum: ['*', ...events] }, uniqueItems: true, default: ['*'] },
              language: { type: ['string', 'null'], enum: ['zh', 'en', null], default: null, description: 'The language of its messages; null: `telegram.language`.' },
              maxAttempts: { type: 'integer', minimum: 1, maximum: 20, default: 6 }
            }
          }
        }
      }
    },
    providers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'type'],
        properties: {
          pollIntervalSeconds: { type: 'integer', minimum: 5, maximum: 86400 },
          budget: {
            type: 'object',
            additionalProperties: false,
            required: ['monthlyYuan'],
            properties: { monthlyYuan: { type: 'number', exclusiveMinimum: 0, description: 'This entry\'s monthly budget in yuan: automatic power-ons are refused once its observed cost this month (plus the action\'s projection) reaches it.' } }
          },
          keepAlive: {
            type: 'object',
            additionalProperties: false,
            required: ['enabled'],
            properties: {
              enabled: { type: 'boolean' },
              beforeHours: { type: 'number', exclusiveMinimum: 0, maximum: 8760, default: 48 }
            }
          },
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
})

/** Telegram bot settings after validation. */
export interface TelegramConfig {
  /** Bot token; null turns the bot off. */
  token: string | null
  /** Bot API root URL (a local Bot API server or an emulator in tests). */
  apiRoot: string
  /** Proxy URL for reaching Telegram; null for direct. */
  proxy: string | null
  /** Telegram user ids allowed to use the bot (read). */
  allowedUserIds: number[]
  /** Telegram user ids that may also act (power, keep-alive, mutes, audit). They are allowed to read too. */
  operatorUserIds: number[]
  /** Language of every bot message. */
  language: 'zh' | 'en'
  /** IANA time zone of times in messages (e.g. `Asia/Shanghai`); null: the system's local zone. */
  timeZone: string | null
  /** Accounts users add with /user and /password (seed 000: AutoDL). */
  accounts: {
    /** Allow /user and /password. */
    enabled: boolean
    /** Provider type of those accounts; null: the built-in type that declares `chatAccounts` (autodl). */
    type: string | null
    /** Where those accounts' provider is (its `baseUrl`); null: the type's default. */
    baseUrl: string | null
    /** Proxy for those accounts' calls; null for direct. */
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
  /** Automatic keep-alive before release (providers that release stopped instances and have a no-GPU mode). */
  keepAlive?: { enabled: boolean; beforeHours: number } | undefined
  /** This entry's monthly budget, yuan. */
  budget?: { monthlyYuan: number } | undefined
  /**
   * Seconds between two polls of this entry: its own `pollIntervalSeconds`, else its type's default
   * (`ProviderDefinition.polling`), else the global one. Never below the type's minimum.
   */
  pollIntervalSeconds: number
  /** The provider type's own options, validated by its schema and normalized. */
  options: Record<string, unknown>
}

/** The whole configuration after validation and defaults. */
export interface HostConfig {
  /** `file:<path>` or `redis://…`. */
  store: string
  /** Seconds between two polls of one provider entry. */
  pollIntervalSeconds: number
  /** With a Redis store: this host's name among the replicas (null: `<hostname>:<pid>`) and the lease length, seconds. */
  replicas: { hostId: string | null; leaseSeconds: number }
  /** The monthly budget over every entry, yuan; null: none (entries may have their own, `providers[].budget`). */
  budget: { monthlyYuan: number | null }
  /** Seconds one poll may take before it counts as failed. */
  pollTimeoutSeconds: number
  /**
   * Bounds on what one provider entry may send: `maxResponseMB` per answer (megabytes; a larger one is
   * not read: `CW_ERR_PROVIDER_RESPONSE`), `maxInstancesPerEntry` per list (more fails the poll).
   */
  limits: { maxResponseMB: number; maxInstancesPerEntry: number }
  api: { host: string; port: number; apiKeys: ApiKeyConfig[] }
  alerts: AlertsConfig
  notify: { webhooks: WebhookConfig[]; channels: ChannelConfig[] }
  telegram: TelegramConfig
  providers: ProviderEntryConfig[]
  /** Provider definitions loaded from modules named in the file (plugins), to add to the registry. */
  pluginDefinitions: AnyProviderDefinition[]
  /** Folder that relative paths (store file) resolve against: the config file's folder. */
  baseDir: string
}

/** An API key after validation. A plain string key in the file becomes `{ name: "key-<n>", scopes: ["read"] }`. */
export interface ApiKeyConfig {
  name: string
  key: string
  scopes: ApiScope[]
}

/**
 * The `alerts` section after validation: the host's own keys, and each rule's settings (declared by
 * the rule, read by it through its own typed view).
 */
export interface AlertsConfig {
  /** How long a power action may take to reach its target state. */
  actionTimeoutSeconds: number
  /** Telegram chats per rule name; a rule without chat ids goes to the allowed users who may see the instance. */
  chatIds: Record<string, number[]>
  /** Per event, the channel names it goes to (instead of every channel subscribing to it). */
  routes: Record<string, string[]>
  /** The rules' own settings, e.g. `releaseLadderHours`. */
  [setting: string]: unknown
}

export interface WebhookConfig {
  /** Its name in metrics (`channel` label) and logs; unset in the file: `webhook`, or `webhook-<n>` among several. */
  name: string
  url: string
  /** HMAC-SHA256 key for the `X-Computewatch-Signature` header; null for unsigned. */
  secret: string | null
  /** Events to send; `*` for all. */
  events: string[]
  /** Delivery attempts before giving up (with exponential back-off). */
  maxAttempts: number
}

/** A `notify.channels[]` entry after validation. */
export interface ChannelConfig {
  /** A channel type: `email`, `wecom`, `feishu`, `dingtalk`, `serverchan`, `pushplus`, `bark`, `ntfy`. */
  type: string
  /** Its name in metrics (`channel` label), logs and routes; unset in the file: its type, or `<type>-<n>` among several of it. */
  name: string
  /** Events to send; `*` for all. */
  events: string[]
  /** The language of its messages (unset in the file: `telegram.language`). */
  language: 'zh' | 'en'
  /** Delivery attempts before giving up. */
  maxAttempts: number
  /** The type's own options, validated by its schema (with defaults). */
  options: Record<string, unknown>
}
