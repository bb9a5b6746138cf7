import { defineProvider, HOST_API_VERSION } from '../../src/core/provider.js'
import { ComputeshareProvider } from './provider.js'
import { computeshareConfigSchema, normalizeComputeshareOptions, type ComputeshareConfig, type ComputeshareOptions } from './schema.js'

/** computeshare (共享算力) VMs (seed 001, reference/providers.md §3). */
export default defineProvider<ComputeshareOptions>({
  type: 'computeshare',
  hostApiVersion: HOST_API_VERSION,
  description: 'computeshare (共享算力) VMs: state, rental expiry, start/stop, sandbox creation',
  configSchema: computeshareConfigSchema,
  normalizeConfig: (options) => normalizeComputeshareOptions(options),
  create: (options, deps) => new ComputeshareProvider(options as ComputeshareConfig, deps)
})

export { ComputeshareProvider } from './provider.js'
export { toInstance, STATUS } from './map.js'
export { sandboxSpecSchema, sandboxBody, type SandboxSpec, type SandboxSpecFile, type SandboxResult } from './sandbox.js'
export { normalizeComputeshareOptions, type ComputeshareConfig, type ComputeshareOptions } from './schema.js'
