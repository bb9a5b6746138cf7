import { defineProvider, HOST_API_VERSION } from '../../src/core/provider.js'
import { OnecloudProvider } from './provider.js'
import { normalizeOnecloudOptions, onecloudConfigSchema, type OnecloudConfig, type OnecloudOptions } from './schema.js'

/** Thunder OneCloud (玩客云) devices, EXPERIMENTAL (seed 004, reference/providers.md §5). Read-only. */
export default defineProvider<OnecloudOptions>({
  type: 'onecloud',
  hostApiVersion: HOST_API_VERSION,
  description: 'Thunder OneCloud (玩客云) devices online/offline — experimental, the service is believed defunct; read-only',
  configSchema: onecloudConfigSchema,
  normalizeConfig: (options) => normalizeOnecloudOptions(options),
  create: (options, deps) => new OnecloudProvider(options as OnecloudConfig, deps)
})

export { OnecloudProvider } from './provider.js'
export { onecloudPwd, signBody, signQuery, deviceIds } from './sign.js'
export { normalizeOnecloudOptions, type OnecloudConfig, type OnecloudOptions } from './schema.js'
