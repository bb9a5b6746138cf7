import { HOST_API_VERSION, defineProvider } from '../../src/index.js'
import { NezhaProvider } from './provider.js'
import { nezhaConfigSchema, normalizeNezhaOptions } from './schema.js'

/** Nezha monitoring dashboards, v0 and v1/v2 (reference/providers.md §2). Read-only. */
export default defineProvider({
  type: 'nezha',
  hostApiVersion: HOST_API_VERSION,
  polling: { minimumSeconds: 5, reason: 'agents report every few seconds; a faster poll only repeats them' },
  description: 'Nezha monitoring dashboards (v0, v1, v2): servers online/offline, CPU, memory, disk, network, GPU model; read-only',
  configSchema: nezhaConfigSchema,
  normalizeConfig: normalizeNezhaOptions,
  create: (config, deps) => new NezhaProvider(config, deps)
})

export { NezhaProvider } from './provider.js'
export { fromV0, fromV1 } from './map.js'
export { normalizeNezhaOptions, type NezhaConfig, type NezhaOptions } from './schema.js'
