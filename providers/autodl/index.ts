import { defineProvider } from '../../src/core/provider.js'
import { AutodlProvider } from './provider.js'
import { autodlConfigSchema, normalizeAutodlOptions, type AutodlConfig, type AutodlOptions } from './schema.js'

/** AutoDL GPU containers through the web console API (reference/providers.md §1). */
export default defineProvider<AutodlOptions>({
  type: 'autodl',
  description: 'AutoDL GPU containers (web console API): host GPUs idle/total, release dates, power on/off, no-GPU mode',
  configSchema: autodlConfigSchema,
  normalizeConfig: (options) => normalizeAutodlOptions(options) as AutodlOptions,
  create: (options, deps) => new AutodlProvider(options as AutodlConfig, deps)
})

export { AutodlProvider } from './provider.js'
export { toInstance, STATE_MAP, RELEASE_AFTER_STOP_DAYS } from './map.js'
export { sha1Hex, normalizeAutodlOptions, type AutodlConfig, type AutodlOptions } from './schema.js'
