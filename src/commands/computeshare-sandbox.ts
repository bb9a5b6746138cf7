import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { ComputeshareProvider, sandboxSpecSchema, type SandboxResult, type SandboxSpecFile } from '../../providers/computeshare/index.js'
import { createConfigAjv } from '../config/ajv.js'
import type { HostConfig } from '../config/schema.js'
import { createEntry } from '../core/entry.js'
import { ConfigError } from '../core/errors.js'
import { createLogger } from '../core/logger.js'
import type { ProviderRegistry } from '../core/registry.js'
import { SecretRegistry } from '../core/secrets.js'
import { openStateStore } from '../core/store.js'
import { formatAjvErrors } from '../core/validation.js'

export interface CreateSandboxOptions {
  config: HostConfig
  registry: ProviderRegistry
  /** The computeshare entry's id. */
  providerId: string
  /** Path of the spec JSON file. */
  file: string
  /** Skip the confirmation (it rents a VM). */
  yes: boolean
  /** Where the summary and the prompt go. */
  output: NodeJS.WritableStream
  input: NodeJS.ReadableStream
}

/**
 * `computewatch computeshare create-sandbox --provider ID --file spec.json`: validate the spec, read
 * its docker-compose file, confirm (the sandbox is billed for `durationMonths`), create it, and print
 * the instance id and each mapping's public `ip:port`. The entry's stored token is reused.
 * @throws ConfigError for an unknown entry or a bad spec; provider errors as they come.
 */
export async function createSandbox (options: CreateSandboxOptions): Promise<SandboxResult | null> {
  const { config, registry } = options
  const entry = config.providers.find(p => p.id === options.providerId)
  if (!entry || entry.type !== 'computeshare') {
    const ids = config.providers.filter(p => p.type === 'computeshare').map(p => p.id)
    throw new ConfigError([`--provider: no computeshare entry "${options.providerId}" in the config${ids.length ? ` (computeshare entries: ${ids.join(', ')})` : ''}`])
  }
  const spec = await readSpec(options.file)
  const summary = `create computeshare sandbox "${spec.name}" on ${entry.id}: spec ${spec.specId}, image ${spec.imageId}, ` +
    `${spec.durationMonths} month(s) (billed), ports ${spec.networkMappings.map(m => `${m.name}:${m.computerPort}`).join(', ') || 'none'}`
  if (!options.yes && !await confirm(`${summary}\nProceed? [y/N] `, options)) {
    options.output.write('cancelled; nothing was created\n')
    return null
  }

  const secrets = new SecretRegistry()
  const log = createLogger({ secrets, level: process.env['LOG_LEVEL'] ?? 'warn', destination: process.stderr as never })
  const store = await openStateStore(config.store, { baseDir: config.baseDir, log })
  try {
    const { provider } = createEntry(registry.get('computeshare') ?? null, entry, { log, store, secrets, timeoutMs: config.pollTimeoutSeconds * 1000 })
    const result = await (provider as ComputeshareProvider).createSandbox(spec)
    options.output.write(`sandbox created: instance ${result.instanceId}\n`)
    for (const m of result.mappings) options.output.write(`  ${m.name}  port ${m.computerPort} → ${m.publicAddress}\n`)
    return result
  } finally {
    await store.close()
  }
}

async function readSpec (file: string): Promise<Parameters<ComputeshareProvider['createSandbox']>[0]> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new ConfigError([`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `not valid JSON (${(err as Error).message})`}`], { title: 'bad sandbox spec' })
  }
  const validate = createConfigAjv().compile(sandboxSpecSchema)
  if (!validate(raw)) throw new ConfigError(formatAjvErrors(validate.errors), { title: `bad sandbox spec ${file}` })
  const { dockerComposeFile, ...spec } = raw as SandboxSpecFile & { $schema?: string }
  delete (spec as { $schema?: string }).$schema
  if (dockerComposeFile === undefined) return spec
  const composePath = resolve(dirname(file), dockerComposeFile)
  try {
    return { ...spec, dockerCompose: await readFile(composePath, 'utf8') }
  } catch {
    throw new ConfigError([`dockerComposeFile: cannot read ${composePath}`], { title: `bad sandbox spec ${file}` })
  }
}

async function confirm (question: string, options: CreateSandboxOptions): Promise<boolean> {
  if (!(options.input as { isTTY?: boolean }).isTTY) {
    throw new ConfigError(['this creates a billed VM: confirm with --yes when not running in a terminal'], { title: 'not confirmed' })
  }
  const rl = createInterface({ input: options.input, output: options.output })
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}
