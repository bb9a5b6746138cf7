import { defineProvider, HOST_API_VERSION } from '../../src/core/provider.js'
import { BoardmateProvider } from './provider.js'
import { boardmateConfigSchema, normalizeBoardmateOptions, type BoardmateConfig, type BoardmateOptions } from './schema.js'

/** BoardMate, a Discord-login shop panel in front of Pterodactyl (seed 002, reference/providers.md §4.7). Read-only. */
export default defineProvider<BoardmateOptions>({
  type: 'boardmate',
  hostApiVersion: HOST_API_VERSION,
  description: 'BoardMate panels (Discord user, shop balance and quota): servers and their limits; read-only',
  configSchema: boardmateConfigSchema,
  normalizeConfig: (options) => normalizeBoardmateOptions(options),
  create: (options, deps) => new BoardmateProvider(options as BoardmateConfig, deps)
})

export { BoardmateProvider } from './provider.js'
export { normalizeBoardmateOptions, type BoardmateConfig, type BoardmateOptions } from './schema.js'
