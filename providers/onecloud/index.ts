import { HOST_API_VERSION, defineProvider } from '../../src/index.js'
import { OnecloudProvider } from './provider.js'
import { normalizeOnecloudOptions, onecloudConfigSchema } from './schema.js'

/** Thunder OneCloud (玩客云) devices, EXPERIMENTAL (seed 004, reference/providers.md §5). Read-only. */
export default defineProvider({
  type: 'onecloud',
  hostApiVersion: HOST_API_VERSION,
  polling: { defaultSeconds: 7200, minimumSeconds: 1800, reason: 'Thunder bans IPs that call often; JKerCloudMonitor polls every 2 hours' },
  description: 'Thunder OneCloud (玩客云) devices online/offline — experimental, the service is believed defunct; read-only',
  configSchema: onecloudConfigSchema,
  normalizeConfig: normalizeOnecloudOptions,
  create: (config, deps) => new OnecloudProvider(config, deps)
})

export { OnecloudProvider } from './provider.js'
export { onecloudPwd, signBody, signQuery, deviceIds } from './client.js'
export { normalizeOnecloudOptions, type OnecloudConfig, type OnecloudOptions } from './schema.js'
