import { HOST_API_VERSION, defineProvider } from '../../src/index.js'
import { BoardmateProvider } from './provider.js'
import { boardmateConfigSchema, normalizeBoardmateOptions } from './schema.js'

/** BoardMate, a Discord-login shop panel in front of Pterodactyl (seed 002, reference/providers.md §4.7). Read-only. */
export default defineProvider({
  type: 'boardmate',
  hostApiVersion: HOST_API_VERSION,
  polling: { defaultSeconds: 600, minimumSeconds: 120, reason: 'every API call appends an entry to the site\'s own log (BoardMate views/api.py), so a monitor must ask rarely' },
  description: 'BoardMate panels (Discord user, shop balance and quota): servers and their limits; read-only',
  configSchema: boardmateConfigSchema,
  normalizeConfig: normalizeBoardmateOptions,
  create: (config, deps) => new BoardmateProvider(config, deps)
})

export { BoardmateProvider } from './provider.js'
export { normalizeBoardmateOptions, type BoardmateConfig, type BoardmateOptions } from './schema.js'
