import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/core/logger.js'
import { SecretRegistry } from '../../src/core/secrets.js'

/** A logger whose JSON lines are kept in `lines` (like pino's test/helper.js sink). */
export interface CapturedLog {
  log: Logger
  secrets: SecretRegistry
  /** Raw output lines, after redaction and secret scrubbing. */
  lines: string[]
  /** Parsed lines. */
  entries (): Array<Record<string, unknown>>
}

export function captureLog (level: 'trace' | 'debug' | 'info' = 'trace', secrets = new SecretRegistry()): CapturedLog {
  const lines: string[] = []
  const sink = new Writable({
    write (chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    }
  })
  const log = createLogger({ level, secrets, destination: sink })
  return { log, secrets, lines, entries: () => lines.map(l => JSON.parse(l) as Record<string, unknown>) }
}
