import { HOST_API_VERSION, defineProvider } from '../../src/index.js'
import { PterodactylProvider } from './provider.js'
import { normalizePterodactylOptions, pterodactylConfigSchema } from './schema.js'

/** Pterodactyl panels through the client API (reference/providers.md §4). */
export default defineProvider({
  type: 'pterodactyl',
  hostApiVersion: HOST_API_VERSION,
  polling: { minimumSeconds: 15, reason: 'each poll costs one /resources request per server against the panel\'s per-user rate limit (720 a minute by default)' },
  description: 'Pterodactyl panel servers (client API): live state, limits and usage, start/stop',
  configSchema: pterodactylConfigSchema,
  normalizeConfig: normalizePterodactylOptions,
  create: (config, deps) => new PterodactylProvider(config, deps)
})

export { PterodactylProvider } from './provider.js'
export { toInstance, POWER_STATE, LIFECYCLE_STATE } from './map.js'
export { normalizePterodactylOptions, type PterodactylConfig, type PterodactylOptions } from './schema.js'
