import { builtinProviders } from '../providers/index.js'
import { ALERT_RULES } from './alerts/rules/index.js'
import { buildHost, type Host } from './app.js'
import { CHANNEL_TYPES } from './notify/channels.js'
import { loadConfigFile, parseConfig } from './config/load.js'
import type { HostConfig } from './config/schema.js'
import { createLogger, type Logger } from './core/logger.js'
import { createRegistry, type ProviderRegistry } from './core/registry.js'
import { SecretRegistry } from './core/secrets.js'
import { memoryStateStore, openStateStore, type StateStore } from './core/store.js'
import { packageVersion } from './version.js'

export interface RunningHost {
  host: Host
  url: string
  log: Logger
}

/** The registry of built-in provider types. */
export function defaultRegistry (): ProviderRegistry {
  return createRegistry(builtinProviders)
}

/** What reading a config file needs: the built-in provider types, the alert rules and the channel types. */
export function parseOptions (registry = defaultRegistry()): { registry: ProviderRegistry; alertRules: typeof ALERT_RULES; channelTypes: typeof CHANNEL_TYPES } {
  return { registry, alertRules: ALERT_RULES, channelTypes: CHANNEL_TYPES }
}

/**
 * Load the config file and start the host (API, polling, bot).
 * @throws ConfigError for a bad file (the CLI prints it and exits 2).
 */
export async function runFromConfigFile (path: string): Promise<RunningHost> {
  const registry = defaultRegistry()
  const config = await loadConfigFile(path, parseOptions(registry))
  return await runHost(config, { registry })
}

/** Validate a raw config object and start the host on it (the demo uses this). */
export async function runFromObject (raw: unknown, options: { memoryStore?: boolean; logLevel?: string | undefined } = {}): Promise<RunningHost> {
  const registry = defaultRegistry()
  const config = parseConfig(raw, parseOptions(registry))
  return await runHost(config, { registry, memoryStore: options.memoryStore, logLevel: options.logLevel })
}

async function runHost (config: HostConfig, options: { registry: ProviderRegistry; memoryStore?: boolean | undefined; logLevel?: string | undefined }): Promise<RunningHost> {
  const registry = config.pluginDefinitions.length ? createRegistry([...builtinProviders, ...config.pluginDefinitions]) : options.registry
  const secrets = new SecretRegistry()
  const log = createLogger({ secrets, secretFields: registry.secretFields(), level: options.logLevel })
  let store: StateStore
  if (options.memoryStore) store = memoryStateStore()
  else store = await openStateStore(config.store, { baseDir: config.baseDir, log })
  const host = await buildHost(config, {
    registry, log, secrets, store, version: packageVersion(),
    // Exit 75 (EX_TEMPFAIL) once stopped: the supervisor starts the host again, and it follows.
    onDeposed: () => { process.exit(75) }
  })
  const url = await host.start()
  return { host, url, log }
}
