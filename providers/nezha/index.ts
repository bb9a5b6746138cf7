import { defineProvider, HOST_API_VERSION } from '../../src/core/provider.js'
import { NezhaProvider } from './provider.js'
import { nezhaConfigSchema, normalizeNezhaOptions, type NezhaConfig, type NezhaOptions } from './schema.js'

/** Nezha monitoring dashboards, v0 and v1/v2 (reference/providers.md §2). Read-only. */
export default defineProvider<NezhaOptions>({
  type: 'nezha',
  hostApiVersion: HOST_API_VERSION,
  description: 'Nezha monitoring dashboards (v0, v1, v2): servers online/offline, CPU, memory, disk, network, GPU model; read-only',
  configSchema: nezhaConfigSchema,
  normalizeConfig: (options) => normalizeNezhaOptions(options),
  create: (options, deps) => new NezhaProvider(options as NezhaConfig, deps)
})

export { NezhaProvider } from './provider.js'
export { fromV0, fromV1 } from './map.js'
export { normalizeNezhaOptions, type NezhaConfig, type NezhaOptions } from './schema.js'
