import type { SchemaObject } from 'ajv'
import type { AnyProviderDefinition } from '../core/provider.js'
import { rootSchema, type AlertRuleDeclaration, type ChannelTypeDeclaration } from './schema.js'

/** Keywords only the host's ajv understands (ajv-errors), left out of the published schema. */
const HOST_ONLY_KEYWORDS = new Set(['errorMessage'])

/**
 * The config file's JSON Schema (draft-07) for editors: the same schema the host validates with, plus,
 * per provider type, its own options (`if type is "autodl" then …`), so an editor completes and checks
 * a whole entry. Entries of other types (plugins) are checked for the common keys only.
 * @param definitions the provider types to describe (the built-in ones for `config.schema.json`).
 * @param rules the alert rules whose settings make up `alerts`.
 * @param channelTypes the `notify.channels[].type` values, each with its own options (`if type is "wecom" then …`).
 */
export function configFileSchema (definitions: readonly AnyProviderDefinition[], rules: readonly AlertRuleDeclaration[], channelTypes: readonly ChannelTypeDeclaration[] = []): SchemaObject {
  const root = portable(rootSchema(rules, channelTypes)) as SchemaObject
  const channel = root['properties'].notify.properties.channels.items as SchemaObject
  const channelCommon = channel['properties'] as Record<string, SchemaObject>
  channel['allOf'] = channelTypes.map(declaration => {
    const { properties = {}, additionalProperties: _closed, type: _object, ...constraints } = portable(declaration.schema) as SchemaObject
    return {
      if: { properties: { type: { const: declaration.type } }, required: ['type'] },
      then: { ...constraints, properties: { ...channelCommon, ...properties }, additionalProperties: false, ...(declaration.docs ? { description: declaration.docs } : {}) }
    }
  })
  const entry = root['properties'].providers.items as SchemaObject
  const common = entry['properties'] as Record<string, SchemaObject>
  const types = definitions.map(d => d.type)
  common['type'] = { ...common['type'], description: `The provider type: one of ${types.join(', ')}, or a plugin module (a path or package name).`, examples: types }
  entry['allOf'] = definitions.map(definition => {
    const { properties = {}, additionalProperties: _closed, type: _object, ...constraints } = portable(definition.configSchema) as SchemaObject
    return {
      if: { properties: { type: { const: definition.type } }, required: ['type'] },
      then: { ...constraints, properties: { ...common, ...properties }, additionalProperties: false }
    }
  })
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'computewatch configuration',
    description: 'The file `computewatch --config` reads. Strings may reference environment variables as ${NAME}. Generated from the schema the host validates with (npm run config-schema).',
    ...root
  }
}

/** Checks a string value must pass once its `${NAME}` references are replaced. */
const STRING_CHECKS = ['pattern', 'minLength', 'maxLength', 'format', 'enum', 'const']
/** A string with a `${NAME}` reference: the host checks it after substituting the variable. */
const ENV_REFERENCE = { type: 'string', pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}', description: 'Holds an environment variable reference, ${NAME}: checked when the host starts.' }

/**
 * A deep copy of `schema` without {@link HOST_ONLY_KEYWORDS}, where a checked string also accepts a
 * `${NAME}` reference (the host substitutes variables before it validates; an editor cannot).
 */
function portable (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(portable)
  if (schema === null || typeof schema !== 'object') return schema
  const copy = Object.fromEntries(Object.entries(schema).filter(([key]) => !HOST_ONLY_KEYWORDS.has(key)).map(([key, value]) => [key, portable(value)]))
  const types = [copy['type']].flat()
  if (!types.includes('string') || !STRING_CHECKS.some(k => k in copy)) return copy
  const { description, default: fallback, examples, ...checks } = copy
  return { ...(description === undefined ? {} : { description }), ...(fallback === undefined ? {} : { default: fallback }), ...(examples === undefined ? {} : { examples }), anyOf: [checks, ENV_REFERENCE] }
}
