import { preflight } from '../config/preflight.js'
import type { HostConfig } from '../config/schema.js'
import { createProvider } from '../core/entry.js'
import { ConfigError, describeError } from '../core/errors.js'
import { createLogger } from '../core/logger.js'
import type { ProviderRegistry } from '../core/registry.js'
import { SecretRegistry } from '../core/secrets.js'
import { openStateStore } from '../core/store.js'

/**
 * `computewatch check`: the validation `start` does, without starting — the file (schema, URLs,
 * nesting), then {@link preflight} (each entry's provider created, `keepAlive`, the store file).
 * @returns the summary line when everything passes.
 * @throws ConfigError with one line per problem (the CLI exits 2).
 */
export async function checkConfig (path: string, config: HostConfig, registry: ProviderRegistry): Promise<string> {
  const problems = await preflight(config, registry)
  if (problems.length > 0) throw new ConfigError(problems, { title: `${path}: the host would not start` })
  const plugins = config.pluginDefinitions.length ? `, plugins: ${config.pluginDefinitions.map(d => d.type).join(', ')}` : ''
  return `${path}: valid (${config.providers.length} provider entries, bot ${config.telegram.token ? 'on' : 'off'}${plugins})`
}

/**
 * `computewatch check --online`: log in with each entry once, through the host's own store — so a
 * stored token is used and a login back-off is respected, never bypassed — and report one line per
 * entry. Refuses while a host holds the store (it would compete with it for logins).
 * @returns 0 when every entry logged in, 1 otherwise.
 * @throws StoreError when the store is locked by a running host or damaged (the CLI exits 2).
 */
export async function checkOnline (config: HostConfig, registry: ProviderRegistry, output: NodeJS.WritableStream): Promise<number> {
  const secrets = new SecretRegistry()
  const log = createLogger({ secrets, secretFields: registry.secretFields(), level: 'silent' })
  const store = await openStateStore(config.store, { baseDir: config.baseDir, log })
  let failed = 0
  try {
    for (const entry of config.providers) {
      const definition = registry.get(entry.type) ?? config.pluginDefinitions.find(d => d.type === entry.type)
      const label = `${entry.id} (${entry.type})`
      if (!definition) continue // reported by checkConfig
      const provider = createProvider(definition, { id: entry.id, type: entry.type, options: entry.options, proxy: entry.proxy }, { log, store, secrets, timeoutMs: config.pollTimeoutSeconds * 1000 })
      try {
        await provider.authenticate({ signal: AbortSignal.timeout(config.pollTimeoutSeconds * 1000) })
        await provider.listInstances({ signal: AbortSignal.timeout(config.pollTimeoutSeconds * 1000) })
        output.write(`${label}: ok\n`)
      } catch (err) {
        failed++
        const { code, message } = describeError(err)
        output.write(`${label}: ${code}: ${secrets.scrub(message)}\n`)
      } finally {
        await provider.close?.().catch(() => {})
      }
    }
  } finally {
    await store.close()
  }
  return failed === 0 ? 0 : 1
}
