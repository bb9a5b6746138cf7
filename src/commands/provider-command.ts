import { createInterface } from 'node:readline/promises'
import type { HostConfig } from '../config/schema.js'
import { createProvider } from '../core/entry.js'
import { ConfigError } from '../core/errors.js'
import { createLogger } from '../core/logger.js'
import type { ProviderRegistry } from '../core/registry.js'
import { SecretRegistry } from '../core/secrets.js'
import { openStateStore } from '../core/store.js'

export interface ProviderCommandRun {
  config: HostConfig
  registry: ProviderRegistry
  /** The provider type that declares the command, e.g. `computeshare`. */
  type: string
  /** The command's name, e.g. `create-sandbox`. */
  command: string
  /** The entry to run it against (`--provider`). */
  providerId: string
  /** The command's own options, by commander's camelCase names. */
  options: Record<string, unknown>
  /** Do not ask before acting (`--yes`). */
  yes: boolean
  output: NodeJS.WritableStream
  input: NodeJS.ReadableStream
}

/**
 * Run a command a provider type declares (`ProviderDefinition.commands`) against one configured entry
 * of that type, with the entry's store (its saved token), proxy and secrets, as the host would.
 * @returns the command's exit code.
 * @throws ConfigError for an unknown command or entry, a broken entry, an unconfirmed action without a
 *   terminal, or the command's own bad input; provider errors as they come.
 */
export async function runProviderCommand (run: ProviderCommandRun): Promise<number> {
  const definition = run.registry.get(run.type)
  const command = definition?.commands?.find(c => c.name === run.command)
  if (!definition || !command) throw new ConfigError([`${run.type} has no command "${run.command}"`])
  const entry = run.config.providers.find(p => p.id === run.providerId)
  if (!entry || entry.type !== run.type) {
    const ids = run.config.providers.filter(p => p.type === run.type).map(p => p.id)
    throw new ConfigError([`--provider: no ${run.type} entry "${run.providerId}" in the config${ids.length ? ` (${run.type} entries: ${ids.join(', ')})` : ''}`])
  }
  if (entry.failure !== undefined) throw new ConfigError([entry.failure])
  const secrets = new SecretRegistry()
  const log = createLogger({ secrets, secretFields: run.registry.secretFields(), level: process.env['LOG_LEVEL'] ?? 'warn', destination: process.stderr as never })
  const store = await openStateStore(run.config.store, { baseDir: run.config.baseDir, log })
  try {
    const provider = createProvider(definition, entry, { log, store, secrets, timeoutMs: run.config.pollTimeoutSeconds * 1000 })
    return await command.run(provider, {
      entryId: entry.id,
      options: run.options,
      output: run.output,
      confirm: async (summary) => run.yes || await ask(`${summary}\nProceed? [y/N] `, run)
    })
  } finally {
    await store.close()
  }
}

async function ask (question: string, run: ProviderCommandRun): Promise<boolean> {
  if (!(run.input as { isTTY?: boolean }).isTTY) {
    throw new ConfigError(['this costs money or changes what you rent: confirm with --yes when not running in a terminal'], { title: 'not confirmed' })
  }
  const rl = createInterface({ input: run.input, output: run.output })
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}
