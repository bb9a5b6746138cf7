import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { ValidateFunction } from 'ajv'
import { ConfigError } from '../core/errors.js'
import type { ProviderRegistry } from '../core/registry.js'
import { formatAjvErrors } from '../core/validation.js'
import { createConfigAjv } from './ajv.js'
import { substituteEnv } from './env.js'
import { COMMON_ENTRY_KEYS, rootSchema, type HostConfig, type ProviderEntryConfig } from './schema.js'

/** Ids starting with this are reserved for accounts added through the Telegram bot. */
export const RESERVED_ID_PREFIX = 'tg-'

export interface ParseOptions {
  registry: ProviderRegistry
  /** Environment for `${NAME}` substitution (default `process.env`). */
  env?: NodeJS.ProcessEnv
  /** Folder relative paths resolve against (default: the current directory). */
  baseDir?: string
}

/**
 * Read, substitute, validate and normalize a configuration file.
 * @throws ConfigError listing every problem (`providers[0].phone: must be a string`), or that the
 * file is missing or not JSON.
 */
export async function loadConfigFile (path: string, options: ParseOptions): Promise<HostConfig> {
  const file = resolve(path)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const hint = code === 'ENOENT' ? 'not found; copy config.example.json to start, or run `computewatch demo`' : `cannot be read (${code})`
    throw new ConfigError([`${path}: ${hint}`], { title: 'no configuration' })
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new ConfigError([`${path}: not valid JSON: ${describeJsonError(err as Error, text)}`], { title: 'invalid config file' })
  }
  try {
    return parseConfig(raw, { ...options, baseDir: options.baseDir ?? dirname(file) })
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.issues, { title: `invalid config file ${path}` })
    throw err
  }
}

/**
 * Validate and normalize an already-parsed configuration object.
 * @throws ConfigError listing every problem.
 */
export function parseConfig (raw: unknown, options: ParseOptions): HostConfig {
  const issues: string[] = []
  const substituted = substituteEnv(raw, options.env ?? process.env, issues)
  // A value whose variable is unset is reported once, as that; its emptiness is not a second problem.
  const unset = new Set(issues.map(i => i.slice(0, i.indexOf(': '))))
  const report = (lines: string[]): void => { issues.push(...lines.filter(l => !unset.has(l.slice(0, l.indexOf(': '))))) }
  const ajv = createConfigAjv()
  const validateRoot = ajv.compile(rootSchema)
  if (!validateRoot(substituted)) report(formatAjvErrors(validateRoot.errors))

  // Entries are checked even when the root has problems, so that one run reports everything.
  const root = substituted as Omit<HostConfig, 'providers' | 'baseDir'> & { providers: Array<Record<string, unknown>> }
  const entries = Array.isArray(root?.providers) ? root.providers : []
  const validators = new Map<string, ValidateFunction>()
  const seen = new Set<string>()
  const providers: ProviderEntryConfig[] = []
  for (const [index, entry] of entries.entries()) {
    const at = `providers[${index}]`
    const id = entry?.['id']
    const type = entry?.['type']
    if (typeof id !== 'string' || typeof type !== 'string') continue // reported by the root schema
    if (seen.has(id)) issues.push(`${at}.id: "${id}" is used by another entry; ids must be unique`)
    seen.add(id)
    if (id.startsWith(RESERVED_ID_PREFIX)) issues.push(`${at}.id: ids starting with "${RESERVED_ID_PREFIX}" are reserved for accounts added through the bot`)
    const definition = options.registry.get(type)
    if (!definition) {
      issues.push(`${at}.type: unknown provider type "${type}" (built in: ${options.registry.types().join(', ')})`)
      continue
    }
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => !(COMMON_ENTRY_KEYS as readonly string[]).includes(k)))
    let validate = validators.get(type)
    if (!validate) {
      validate = ajv.compile(definition.configSchema)
      validators.set(type, validate)
    }
    if (!validate(own)) {
      report(formatAjvErrors(validate.errors, at))
      continue
    }
    const options_ = definition.normalizeConfig ? definition.normalizeConfig(own) : own
    providers.push({ id, type, proxy: (entry['proxy'] as string | null | undefined) ?? null, options: options_ as Record<string, unknown> })
  }
  if (issues.length > 0) throw new ConfigError(issues)
  return { ...root, providers, baseDir: options.baseDir ?? process.cwd() }
}

function describeJsonError (err: Error, text: string): string {
  const match = /position (\d+)/.exec(err.message)
  if (!match) return err.message
  const position = Number(match[1])
  const before = text.slice(0, position)
  const line = before.split('\n').length
  const column = position - before.lastIndexOf('\n')
  return `${err.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`
}
