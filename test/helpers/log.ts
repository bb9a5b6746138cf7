import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/core/logger.js'
import { SecretRegistry } from '../../src/core/secrets.js'
import { createRegistry } from '../../src/core/registry.js'
import { builtinProviders } from '../../providers/index.js'

/** The secret field names the built-in provider types declare, as the host's logger redacts them. */
const BUILTIN_SECRET_FIELDS = createRegistry(builtinProviders).secretFields()

/** A logger whose JSON lines are kept in `lines` (like pino's test/helper.js sink). */
export interface CapturedLog {
  log: Logger
  secrets: SecretRegistry
  /** Raw output lines, after redaction and secret scrubbing. */
  lines: string[]
  /** Parsed lines. */
  entries (): Array<Record<string, unknown>>
}

export function captureLog (level: 'trace' | 'debug' | 'info' = 'trace', secrets = new SecretRegistry(), secretFields: readonly string[] = BUILTIN_SECRET_FIELDS): CapturedLog {
  const lines: string[] = []
  const sink = new Writable({
    write (chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    }
  })
  const log = createLogger({ level, secrets, secretFields, destination: sink })
  return { log, secrets, lines, entries: () => lines.map(l => JSON.parse(l) as Record<string, unknown>) }
}
