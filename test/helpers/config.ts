import { ConfigError } from '../../src/core/errors.js'

/** The issues of the ConfigError `parse` throws; fails when it throws none or another error. */
export function issuesOf (parse: () => unknown): string[] {
  try {
    parse()
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues]
    throw err
  }
  throw new Error('expected a ConfigError, and the config was accepted')
}
