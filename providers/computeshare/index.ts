import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { ConfigError, createConfigAjv, defineProvider, formatAjvErrors, HOST_API_VERSION, type ProviderCommand } from '../../src/index.js'
import { ComputeshareProvider } from './provider.js'
import { computeshareConfigSchema, normalizeComputeshareOptions, sandboxSpecSchema, type SandboxSpec, type SandboxSpecFile } from './schema.js'

/**
 * `computewatch computeshare create-sandbox --provider ID --file spec.json [--yes]`: validate the spec,
 * read its docker-compose file, confirm (the sandbox is billed), create it, and print the instance id
 * and each mapping's public `ip:port`. The entry's stored token is reused. Exit 0 when created, 1 when declined.
 */
const createSandbox: ProviderCommand<ComputeshareProvider> = {
  name: 'create-sandbox',
  description: 'rent a computeshare VM with a docker-compose file and public ports (billed): prints the instance id and ip:port of each mapping',
  options: [{ flags: '--file <spec.json>', description: 'sandbox spec: specId, imageId, name, publicKey/password, dockerComposeFile, networkMappings (the term and price are the spec\'s own)', required: true }],
  async run (provider, { entryId, options, output, confirm }) {
    const spec = await readSpec(String(options['file']))
    // The term and the price are the spec's (computeshare-server since 77135a0): ask before confirming.
    const price = await provider.specPrice(spec.specId)
    const summary = `create computeshare sandbox "${spec.name}" on ${entryId}: spec ${spec.specId}, image ${spec.imageId}, ` +
      `${price.day} day(s) for ${price.cycle} cycle(s) (billed now), ports ${spec.networkMappings.map(m => `${m.name}:${m.computerPort}`).join(', ') || 'none'}`
    if (!await confirm(summary)) {
      output.write('cancelled; nothing was created\n')
      return 1
    }
    const result = await provider.createSandbox(spec)
    output.write(`sandbox created: instance ${result.instanceId}\n`)
    for (const m of result.mappings) output.write(`  ${m.name}  port ${m.computerPort} → ${m.publicAddress}\n`)
    return 0
  }
}

/** computeshare (共享算力) VMs (seed 001, reference/providers.md §3). */
export default defineProvider({
  type: 'computeshare',
  hostApiVersion: HOST_API_VERSION,
  polling: { minimumSeconds: 30, reason: 'VMs change state in tens of seconds; the list carries no paging' },
  description: 'computeshare (共享算力) VMs: state, rental expiry, start/stop, sandbox creation',
  configSchema: computeshareConfigSchema,
  normalizeConfig: normalizeComputeshareOptions,
  create: (config, deps) => new ComputeshareProvider(config, deps),
  commands: [createSandbox]
})

/**
 * The spec file, checked, with its docker-compose file read (relative to the spec file).
 * @throws ConfigError naming the file and each problem.
 */
async function readSpec (file: string): Promise<SandboxSpec> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new ConfigError([`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `not valid JSON (${(err as Error).message})`}`], { title: 'bad sandbox spec' })
  }
  const validate = createConfigAjv().compile(sandboxSpecSchema)
  if (!validate(raw)) throw new ConfigError(formatAjvErrors(validate.errors), { title: `bad sandbox spec ${file}` })
  const { dockerComposeFile, $schema: _schema, ...spec } = raw as SandboxSpecFile & { $schema?: string }
  if (dockerComposeFile === undefined) return spec
  const composePath = resolve(dirname(file), dockerComposeFile)
  try {
    return { ...spec, dockerCompose: await readFile(composePath, 'utf8') }
  } catch {
    throw new ConfigError([`dockerComposeFile: cannot read ${composePath}`], { title: `bad sandbox spec ${file}` })
  }
}

export { ComputeshareProvider } from './provider.js'
export { toInstance, STATUS, sandboxBody } from './map.js'
export { normalizeComputeshareOptions, sandboxSpecSchema, type ComputeshareConfig, type ComputeshareOptions, type SandboxResult, type SandboxSpec, type SandboxSpecFile } from './schema.js'
