import { resolve } from 'node:path'
import { inspectStoreFile } from '../core/file-store.js'
import { createProvider } from '../core/entry.js'
import { createLogger } from '../core/logger.js'
import { canKeepAlive, type ProviderCapabilities } from '../core/provider.js'
import type { ProviderRegistry } from '../core/registry.js'
import { SecretRegistry } from '../core/secrets.js'
import { memoryStateStore } from '../core/store.js'
import type { HostConfig } from './schema.js'

/**
 * `providers[].keepAlive` set on an entry whose provider cannot keep instances alive — one line each.
 * The host refuses to start on these; `computewatch check` reports them.
 */
export function keepAliveProblems (config: HostConfig, capabilitiesOf: (id: string) => ProviderCapabilities | undefined): string[] {
  return config.providers.flatMap((entry, index) => entry.keepAlive?.enabled && !entry.failure && !canKeepAlive(capabilitiesOf(entry.id))
    ? [`providers[${index}].keepAlive: ${entry.type} cannot keep instances alive (that needs power on/off, a no-GPU mode and a release rule)`]
    : [])
}

/**
 * Everything `start` checks after reading the file, without starting anything or calling a provider:
 * each entry's provider is created by its definition (a plugin's `create()` that throws is found here,
 * not at the first poll), `keepAlive` only where the type can, and the store file opens (not a folder,
 * not damaged). One line per problem; none means `start` will come up.
 */
export async function preflight (config: HostConfig, registry: ProviderRegistry): Promise<string[]> {
  const problems: string[] = []
  const capabilities = new Map<string, ProviderCapabilities>()
  const deps = { log: createLogger({ secrets: new SecretRegistry(), secretFields: registry.secretFields(), level: 'silent' }), store: memoryStateStore(), secrets: new SecretRegistry(), timeoutMs: 1000 }
  for (const [index, entry] of config.providers.entries()) {
    const at = `providers[${index}] ("${entry.id}")`
    if (entry.failure) {
      problems.push(entry.failure)
      continue
    }
    const definition = registry.get(entry.type) ?? config.pluginDefinitions.find(d => d.type === entry.type)
    if (!definition) {
      problems.push(`${at}: provider type "${entry.type}" is not available`)
      continue
    }
    try {
      const provider = createProvider(definition, { id: entry.id, type: entry.type, options: entry.options, proxy: entry.proxy }, deps)
      capabilities.set(entry.id, provider.capabilities)
      await provider.close?.()
    } catch (err) {
      problems.push(`${at}: the ${entry.type} provider could not be created: ${(err as Error).message}`)
    }
  }
  problems.push(...keepAliveProblems(config, id => capabilities.get(id)))
  if (config.store.startsWith('file:')) {
    const problem = await inspectStoreFile(resolve(config.baseDir, config.store.slice('file:'.length)))
    if (problem) problems.push(`store: ${problem}`)
  }
  return problems
}
