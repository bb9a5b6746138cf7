import { createRequire } from 'node:module'
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino'
import { ConfigError } from './errors.js'
import type { SecretRegistry } from './secrets.js'

export type { Logger }

/** Field names whose values are redacted wherever a log call's bindings hold them (top level or one level down). */
export const SECRET_FIELDS = ['password', 'token', 'apiKey', 'apiKeys', 'authorization', 'secret'] as const

/**
 * Object paths pino replaces with `[redacted]`: {@link SECRET_FIELDS}, HTTP authorization headers, and
 * the secret fields provider types declare (`ProviderDefinition.secretFields`, e.g. AutoDL's `root_password`).
 */
export function redactPaths (extraFields: readonly string[] = []): string[] {
  const fields = [...new Set([...SECRET_FIELDS, ...extraFields])]
  return [
    ...fields.flatMap(f => [f, `*.${f}`]),
    'headers.authorization', '*.headers.authorization', '*.headers.Authorization', '*.*.headers.authorization'
  ]
}

export interface LoggerOptions {
  /** pino level; defaults to `LOG_LEVEL` from the environment, else `info`. */
  level?: LevelWithSilent | string | undefined
  /** Field names to redact besides {@link SECRET_FIELDS} (the provider types' `secretFields`). */
  secretFields?: readonly string[] | undefined
  /** Every output line is scrubbed of these values before it is written. */
  secrets: SecretRegistry
  /** Where lines go; stdout when omitted. Tests pass a sink. */
  destination?: DestinationStream | undefined
  /**
   * `json` (one JSON object per line) or `pretty` (pino-pretty, for people). Default: `LOG_FORMAT`
   * from the environment, else `pretty` when stdout is a terminal and `json` otherwise (a service
   * manager or a pipe gets JSON lines). A given `destination` always gets JSON.
   */
  format?: LogFormat | undefined
}

export type LogFormat = 'json' | 'pretty'

/**
 * The host's root logger: JSON lines, redacted paths, and a last pass that removes any registered
 * secret value from the finished line (so a token inside an upstream error message cannot leak).
 * @throws ConfigError when the level (or `LOG_LEVEL`) is not a pino level.
 */
export function createLogger (options: LoggerOptions): Logger {
  const level = options.level ?? process.env['LOG_LEVEL'] ?? 'info'
  if (!(level in pino.levels.values) && level !== 'silent') {
    throw new ConfigError([`LOG_LEVEL: "${level}" is not a level; use one of ${[...Object.keys(pino.levels.values), 'silent'].join(', ')}`], { title: 'invalid environment' })
  }
  const format = options.format ?? (process.env['LOG_FORMAT'] || (process.stdout.isTTY ? 'pretty' : 'json'))
  if (format !== 'json' && format !== 'pretty') throw new ConfigError([`LOG_FORMAT: "${format}" is not a format; use json or pretty`], { title: 'invalid environment' })
  const secrets = options.secrets
  return pino({
    name: 'computewatch',
    level,
    redact: { paths: redactPaths(options.secretFields), censor: '[redacted]' },
    // Scrubbed before any formatting: pino-pretty gets the line without the secrets.
    hooks: { streamWrite: (line: string) => secrets.scrub(line) }
  }, options.destination ?? (format === 'pretty' ? prettyStream() : pino.destination({ dest: 1, sync: false })))
}

/** pino-pretty on stdout, loaded only when used (a service writing JSON lines never loads it). */
function prettyStream (): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: object) => DestinationStream
  return pretty({ colorize: process.stdout.isTTY === true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname,name', sync: true })
}
