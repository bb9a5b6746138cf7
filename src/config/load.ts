import { readFile } from 'node:fs/promises'
import { IANAZone } from 'luxon'
import { dirname, resolve } from 'node:path'
import type { ValidateFunction } from 'ajv'
import { CHAT_ACCOUNT_PREFIX } from '../core/accounts.js'
import { ConfigError } from '../core/errors.js'
import type { ProviderRegistry } from '../core/registry.js'
import { formatAjvErrors } from '../core/validation.js'
import type { AnyProviderDefinition } from '../core/provider.js'
import { createConfigAjv } from './ajv.js'
import { substituteEnv } from './env.js'
import { MAX_CONFIG_DEPTH, nestingDepth, urlProblems } from './values.js'
import { loadPlugins, type PluginLoad } from './plugins.js'
import { COMMON_CHANNEL_KEYS, COMMON_ENTRY_KEYS, rootSchema, type AlertRuleDeclaration, type ApiKeyConfig, type ChannelConfig, type ChannelTypeDeclaration, type HostConfig, type ProviderEntryConfig, type WebhookConfig } from './schema.js'


export interface ParseOptions {
  /** Built-in provider types. */
  registry: ProviderRegistry
  /** The alert rules: their names, events and settings make up the `alerts` section (`src/alerts/rules`). */
  alertRules: readonly AlertRuleDeclaration[]
  /** The notification channel types `notify.channels[].type` may name (`src/notify`); none when omitted. */
  channelTypes?: readonly ChannelTypeDeclaration[]
  /** Modules loaded for `type` values that are not built in (see {@link loadConfigFile}). */
  plugins?: ReadonlyMap<string, PluginLoad>
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
  const baseDir = options.baseDir ?? dirname(file)
  const plugins = await loadPlugins(pluginSpecifiers(raw, options), { baseDir, builtins: options.registry })
  try {
    return parseConfig(raw, { ...options, baseDir, plugins })
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
  if (nestingDepth(raw) > MAX_CONFIG_DEPTH) {
    throw new ConfigError([`(root): nested deeper than ${MAX_CONFIG_DEPTH} levels; a configuration is a few levels deep (see config.example.json)`])
  }
  const issues: string[] = []
  const substituted = substituteEnv(raw, options.env ?? process.env, issues)
  // A value whose variable is unset is reported once, as that; its emptiness is not a second problem.
  const unset = new Set(issues.map(i => i.slice(0, i.indexOf(': '))))
  const report = (lines: string[]): void => { issues.push(...lines.filter(l => !unset.has(l.slice(0, l.indexOf(': '))))) }
  const ajv = createConfigAjv()
  const channelTypes = options.channelTypes ?? []
  const validateRoot = ajv.compile(rootSchema(options.alertRules, channelTypes))
  if (!validateRoot(substituted)) report(formatAjvErrors(validateRoot.errors))
  // Provider entries' URLs are checked with their entry (a plugin entry's problems stay with it).
  const withoutEntries = typeof substituted === 'object' && substituted !== null ? { ...substituted, providers: undefined } : substituted
  // A URL the schema already refused is reported once: the issues are kept one per path (onePerPath).
  report(urlProblems(withoutEntries))

  // Entries are checked even when the root has problems, so that one run reports everything.
  const root = substituted as Omit<HostConfig, 'providers' | 'baseDir'> & { providers: Array<Record<string, unknown>> }
  const entries = Array.isArray(root?.providers) ? root.providers : []
  const validators = new Map<string, ValidateFunction>()
  const seen = new Set<string>()
  const providers: ProviderEntryConfig[] = []
  const pluginDefinitions: AnyProviderDefinition[] = []
  for (const [index, entry] of entries.entries()) {
    const at = `providers[${index}]`
    const id = entry?.['id']
    const type = entry?.['type']
    if (typeof id !== 'string' || typeof type !== 'string') continue // reported by the root schema
    if (seen.has(id)) issues.push(`${at}.id: "${id}" is used by another entry; ids must be unique`)
    seen.add(id)
    if (id.startsWith(CHAT_ACCOUNT_PREFIX)) issues.push(`${at}.id: ids starting with "${CHAT_ACCOUNT_PREFIX}" are reserved for accounts added through the bot`)
    const proxy = (entry['proxy'] as string | null | undefined) ?? null
    report(urlProblems({ proxy }, at))
    const keepAlive = entry['keepAlive'] as ProviderEntryConfig['keepAlive']
    const budget = entry['budget'] as ProviderEntryConfig['budget']
    const ownInterval = typeof entry['pollIntervalSeconds'] === 'number' ? entry['pollIntervalSeconds'] : undefined
    const globalInterval = typeof root?.pollIntervalSeconds === 'number' ? root.pollIntervalSeconds : 60
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => !(COMMON_ENTRY_KEYS as readonly string[]).includes(k)))
    const builtin = options.registry.get(type)
    const plugin = builtin ? undefined : options.plugins?.get(type)
    if (!builtin && !plugin) {
      issues.push(`${at}.type: unknown provider type "${type}" (built in: ${options.registry.types().join(', ')}; or a module path like ./my-provider.js)`)
      continue
    }
    if (plugin) {
      // A plugin's problems stay with its entry: the other entries still start.
      const named = `${at} ("${id}"): provider module "${type}"`
      if ('error' in plugin) {
        providers.push({ id, type, module: type, proxy, keepAlive, budget, pollIntervalSeconds: ownInterval ?? globalInterval, options: {}, failure: `${named}: ${plugin.error}` })
        continue
      }
      const definition = plugin.definition
      const problems = onePerPath([...validateOptions(definition, own, validators, ajv, ''), ...urlProblems(own), ...intervalProblems(definition, ownInterval, 'pollIntervalSeconds')])
      let normalized: object = own
      if (problems.length === 0) {
        try { normalized = definition.normalizeConfig ? definition.normalizeConfig(own) : own } catch (err) { problems.push(`normalizeConfig failed: ${(err as Error).message}`) }
      }
      if (!pluginDefinitions.includes(definition)) pluginDefinitions.push(definition)
      providers.push({
        id, type: definition.type, module: type, proxy, keepAlive, budget, pollIntervalSeconds: pollInterval(definition, ownInterval, globalInterval), options: normalized as Record<string, unknown>,
        failure: problems.length ? `${named} (${definition.type}): ${problems.join('; ')}` : undefined
      })
      continue
    }
    const problems = [...validateOptions(builtin!, own, validators, ajv, at), ...urlProblems(own, at), ...intervalProblems(builtin!, ownInterval, `${at}.pollIntervalSeconds`)]
    if (problems.length > 0) {
      report(problems)
      continue
    }
    const normalized = builtin!.normalizeConfig ? builtin!.normalizeConfig(own) : own
    providers.push({ id, type, proxy, keepAlive, budget, pollIntervalSeconds: pollInterval(builtin!, ownInterval, globalInterval), options: normalized as Record<string, unknown> })
  }
  const channels = channelEntries(root, channelTypes, ajv, report)
  if (issues.length > 0) throw new ConfigError(onePerPath(issues))
  if (root.telegram.timeZone !== null && !IANAZone.isValidZone(root.telegram.timeZone)) {
    throw new ConfigError([`telegram.timeZone: "${root.telegram.timeZone}" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin)`])
  }
  const apiKeys = (root.api.apiKeys as Array<string | ApiKeyConfig>).map((k, i): ApiKeyConfig =>
    typeof k === 'string' ? { name: `key-${i + 1}`, key: k, scopes: ['read'] } : k)
  const names = apiKeys.map(k => k.name)
  const dup = names.find((n, i) => names.indexOf(n) !== i)
  if (dup !== undefined) throw new ConfigError([`api.apiKeys: the name "${dup}" is used twice; names identify keys in the audit log`])
  const several = root.notify.webhooks.length > 1
  const webhooks = root.notify.webhooks.map((w, i): WebhookConfig => ({ ...w, name: w.name ?? (several ? `webhook-${i + 1}` : 'webhook') }))
  const hooks = webhooks.map(w => w.name)
  const twice = hooks.find((n, i) => hooks.indexOf(n) !== i)
  if (twice !== undefined) throw new ConfigError([`notify.webhooks: the name "${twice}" is used twice; names tell webhooks apart in metrics and logs`])
  checkChannelNames(webhooks, channels, root.alerts.routes)
  return { ...root, api: { ...root.api, apiKeys }, notify: { ...root.notify, webhooks, channels }, providers, pluginDefinitions, baseDir: options.baseDir ?? process.cwd() }
}

/**
 * `notify.channels` checked against their types' own schemas (with defaults), named (`<type>`, or
 * `<type>-<n>` among several of one type) and given the host's language when they set none.
 */
function channelEntries (root: { notify?: { channels?: unknown }; telegram?: { language?: unknown } }, types: readonly ChannelTypeDeclaration[], ajv: ReturnType<typeof createConfigAjv>, report: (lines: string[]) => void): ChannelConfig[] {
  const entries = Array.isArray(root?.notify?.channels) ? root.notify.channels as Array<Record<string, unknown>> : []
  const language = root?.telegram?.language === 'en' ? 'en' : 'zh'
  const count = new Map<string, number>()
  for (const e of entries) count.set(String(e?.['type']), (count.get(String(e?.['type'])) ?? 0) + 1)
  const seen = new Map<string, number>()
  const validators = new Map<string, ValidateFunction>()
  const channels: ChannelConfig[] = []
  for (const [index, entry] of entries.entries()) {
    const declaration = types.find(t => t.type === entry?.['type'])
    if (!declaration) continue // reported by the root schema
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => !(COMMON_CHANNEL_KEYS as readonly string[]).includes(k)))
    let validate = validators.get(declaration.type)
    if (!validate) validators.set(declaration.type, validate = ajv.compile({ ...declaration.schema, additionalProperties: false }))
    if (!validate(own)) {
      report(formatAjvErrors(validate.errors, `notify.channels[${index}]`))
      continue
    }
    report(urlProblems(own, `notify.channels[${index}]`))
    const nth = (seen.get(declaration.type) ?? 0) + 1
    seen.set(declaration.type, nth)
    channels.push({
      type: declaration.type,
      name: (entry['name'] as string | undefined) ?? (count.get(declaration.type)! > 1 ? `${declaration.type}-${nth}` : declaration.type),
      events: entry['events'] as string[],
      language: (entry['language'] as 'zh' | 'en' | null) ?? language,
      maxAttempts: entry['maxAttempts'] as number,
      options: own
    })
  }
  return channels
}

/**
 * Channel names are unique across `telegram`, the webhooks and `notify.channels`, and every name
 * `alerts.routes` uses is one of them.
 * @throws ConfigError naming the clash or the unknown name.
 */
function checkChannelNames (webhooks: readonly WebhookConfig[], channels: readonly ChannelConfig[], routes: Record<string, string[]>): void {
  const names = ['telegram', ...webhooks.map(w => w.name)]
  const problems: string[] = []
  for (const [index, channel] of channels.entries()) {
    if (names.includes(channel.name)) problems.push(`notify.channels[${index}].name: "${channel.name}" is already the name of ${channel.name === 'telegram' ? 'the Telegram channel' : 'another webhook or channel'}; names tell channels apart in metrics, logs and alerts.routes`)
    names.push(channel.name)
  }
  for (const [event, targets] of Object.entries(routes)) {
    for (const target of targets) {
      if (!names.includes(target)) problems.push(`alerts.routes.${event}: no channel is named "${target}" (channels: ${names.join(', ')})`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
}

/** An entry's own interval below its type's minimum, as a line naming the minimum and why. */
function intervalProblems (definition: AnyProviderDefinition, own: number | undefined, path: string): string[] {
  const polling = definition.polling
  if (own === undefined || polling === undefined || own >= polling.minimumSeconds) return []
  return [`${path}: at least ${polling.minimumSeconds} for ${definition.type} (${polling.reason})`]
}

/** The entry's own interval, else its type's default, else the global one; never below the type's minimum. */
function pollInterval (definition: AnyProviderDefinition, own: number | undefined, globalSeconds: number): number {
  const polling = definition.polling
  return Math.max(own ?? polling?.defaultSeconds ?? globalSeconds, polling?.minimumSeconds ?? 0)
}

/** The first problem reported for each path: one line per problem, not one per check that noticed it. */
function onePerPath (issues: string[]): string[] {
  const seen = new Set<string>()
  return issues.filter(issue => {
    const path = issue.slice(0, issue.indexOf(': '))
    if (seen.has(path)) return false
    seen.add(path)
    return true
  })
}

function validateOptions (definition: AnyProviderDefinition, options: object, cache: Map<string, ValidateFunction>, ajv: ReturnType<typeof createConfigAjv>, at: string): string[] {
  let validate = cache.get(definition.type)
  if (!validate) {
    validate = ajv.compile(definition.configSchema)
    cache.set(definition.type, validate)
  }
  return validate(options) ? [] : formatAjvErrors(validate.errors, at)
}

/** `type` values (after `${NAME}` substitution) that are not built-in types: modules to load. */
function pluginSpecifiers (raw: unknown, options: ParseOptions): string[] {
  const entries = (raw as { providers?: unknown } | null)?.providers
  if (!Array.isArray(entries)) return []
  return entries
    .map(e => (e as { type?: unknown } | null)?.type)
    .filter((t): t is string => typeof t === 'string' && t !== '')
    .map(t => substituteEnv(t, options.env ?? process.env, []) as string)
    .filter(t => !options.registry.get(t))
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
