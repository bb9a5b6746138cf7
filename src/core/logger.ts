import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino'
import { ConfigError } from './errors.js'
import type { SecretRegistry } from './secrets.js'

export type { Logger }

/**
 * Object paths pino replaces with `[redacted]` wherever they appear in a log call's bindings.
 * Covers our own option names, HTTP headers, and the AutoDL instance fields that are access secrets.
 */
export const REDACT_PATHS = [
  'password', 'passwordSha1', 'token', 'apiKey', 'apiKeys', 'authorization', 'secret',
  '*.password', '*.passwordSha1', '*.token', '*.apiKey', '*.apiKeys', '*.authorization', '*.secret',
  'headers.authorization', '*.headers.authorization', '*.headers.Authorization', '*.*.headers.authorization',
  'root_password', '*.root_password', 'jupyter_token', '*.jupyter_token', 'ssh_command', '*.ssh_command'
]

export interface LoggerOptions {
  /** pino level; defaults to `LOG_LEVEL` from the environment, else `info`. */
  level?: LevelWithSilent | string | undefined
  /** Every output line is scrubbed of these values before it is written. */
  secrets: SecretRegistry
  /** Where lines go; stdout when omitted. Tests pass a sink. */
  destination?: DestinationStream | undefined
}

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
  const secrets = options.secrets
  return pino({
    name: 'computewatch',
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: (line: string) => secrets.scrub(line) }
  }, options.destination ?? pino.destination({ dest: 1, sync: false }))
}
