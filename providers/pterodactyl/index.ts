import { defineProvider, HOST_API_VERSION } from '../../src/core/provider.js'
import { PterodactylProvider } from './provider.js'
import { normalizePterodactylOptions, pterodactylConfigSchema, type PterodactylConfig, type PterodactylOptions } from './schema.js'

/** Pterodactyl panels through the client API (reference/providers.md §4). */
export default defineProvider<PterodactylOptions>({
  type: 'pterodactyl',
  hostApiVersion: HOST_API_VERSION,
  description: 'Pterodactyl panel servers (client API): live state, limits and usage, start/stop',
  configSchema: pterodactylConfigSchema,
  normalizeConfig: (options) => normalizePterodactylOptions(options),
  create: (options, deps) => new PterodactylProvider(options as PterodactylConfig, deps)
})

export { PterodactylProvider } from './provider.js'
export { toInstance, POWER_STATE, LIFECYCLE_STATE } from './map.js'
export { normalizePterodactylOptions, type PterodactylConfig, type PterodactylOptions } from './schema.js'
