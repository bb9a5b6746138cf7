import { createRequire } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { HOST_API_VERSION, type AnyProviderDefinition } from '../core/provider.js'
import { isFieldName, type ProviderRegistry } from '../core/registry.js'
import { createConfigAjv } from './ajv.js'

/** A module named by a provider entry's `type`: loaded, or why not. */
export type PluginLoad = { definition: AnyProviderDefinition } | { error: string }

const TYPE_PATTERN = /^[a-z][a-z0-9-]{0,39}$/

/** A relative or absolute file path, as opposed to a package name. */
export function isPathSpecifier (specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || isAbsolute(specifier) || /\.[cm]?js$/.test(specifier)
}

/**
 * Import every module named by a provider entry's `type` that is not a built-in type: a path
 * (relative to `baseDir`, the config file's folder) or an npm package name (resolved from `baseDir`
 * first, then from computewatch's own installation). Its default export must be a
 * {@link ProviderDefinition} for this host's {@link HOST_API_VERSION}. Failures are returned, not thrown:
 * one bad plugin must not stop the other entries.
 * @param specifiers - the `type` values to load.
 */
export async function loadPlugins (specifiers: Iterable<string>, options: { baseDir: string; builtins: ProviderRegistry }): Promise<Map<string, PluginLoad>> {
  const loads = new Map<string, PluginLoad>()
  const claimed = new Map<string, string>()
  for (const specifier of new Set(specifiers)) {
    const load = await loadOne(specifier, options.baseDir)
    if ('definition' in load) {
      const type = load.definition.type
      if (options.builtins.get(type)) {
        loads.set(specifier, { error: `it declares type "${type}", which is a built-in type; a plugin needs a type of its own` })
        continue
      }
      const other = claimed.get(type)
      if (other !== undefined) {
        loads.set(specifier, { error: `it declares type "${type}", already declared by "${other}"` })
        continue
      }
      claimed.set(type, specifier)
    }
    loads.set(specifier, load)
  }
  return loads
}

async function loadOne (specifier: string, baseDir: string): Promise<PluginLoad> {
  let module: { default?: unknown }
  const target = resolveSpecifier(specifier, baseDir)
  try {
    module = await import(target) as { default?: unknown }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    // Some loaders (ts-node) drop the code; the message is the same. Only the plugin itself being
    // absent counts as "missing": a plugin whose own dependency is absent failed to import.
    const notFound = e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND' || /^Cannot find (module|package) /.test(e.message)
    const absent = /^Cannot find (?:module|package) '([^']+)'/.exec(e.message)?.[1]
    const missing = notFound && (absent === undefined || absent === specifier || absent === resolve(baseDir, specifier) || absent === target)
    return {
      error: missing
        ? (isPathSpecifier(specifier)
            ? `no module at ${resolve(baseDir, specifier)} (paths are relative to the config file)`
            : `package "${specifier}" is not installed (npm install ${specifier}), and it is not a built-in type`)
        : `importing it failed: ${e.message}`
    }
  }
  const problem = checkDefinition(module.default)
  return problem === null ? { definition: module.default as AnyProviderDefinition } : { error: problem }
}

function resolveSpecifier (specifier: string, baseDir: string): string {
  if (isPathSpecifier(specifier)) return pathToFileURL(resolve(baseDir, specifier)).href
  try {
    return pathToFileURL(createRequire(join(baseDir, 'noop.js')).resolve(specifier)).href
  } catch {
    return specifier // resolved from computewatch's own node_modules
  }
}

/** Why `value` is not a usable provider definition, or null when it is. */
export function checkDefinition (value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'its default export is not a provider definition (export default defineProvider({ type, hostApiVersion, configSchema, create }))'
  const d = value as Partial<AnyProviderDefinition>
  if (typeof d.type !== 'string' || !TYPE_PATTERN.test(d.type)) return 'its definition needs a "type": lowercase letters, digits and "-", starting with a letter'
  if (d.hostApiVersion === undefined) return `its definition declares no "hostApiVersion"; this host supports ${HOST_API_VERSION}`
  if (d.hostApiVersion !== HOST_API_VERSION) return `it was written for host API version ${String(d.hostApiVersion)}; this host supports ${HOST_API_VERSION}`
  if (typeof d.create !== 'function') return 'its definition has no create(options, deps) function'
  if (typeof d.configSchema !== 'object' || d.configSchema === null) return 'its definition has no "configSchema" object'
  try {
    createConfigAjv().compile(d.configSchema)
  } catch (err) {
    return `its configSchema is not a valid JSON schema: ${(err as Error).message}`
  }
  if (d.normalizeConfig !== undefined && typeof d.normalizeConfig !== 'function') return 'its "normalizeConfig" is not a function'
  if (d.secretFields !== undefined && (!Array.isArray(d.secretFields) || !d.secretFields.every(isFieldName))) {
    return 'its "secretFields" must be a list of field names (letters, digits, "_", "$")'
  }
  if (d.chatAccounts !== undefined && (typeof d.chatAccounts?.hashPassword !== 'function' || typeof d.chatAccounts?.options !== 'function')) {
    return 'its "chatAccounts" needs hashPassword(password) and options(login) functions'
  }
  if (d.commands !== undefined && (!Array.isArray(d.commands) || !d.commands.every(c => typeof c?.name === 'string' && typeof c.run === 'function'))) {
    return 'its "commands" must be a list of { name, description, run(provider, context) }'
  }
  return null
}
