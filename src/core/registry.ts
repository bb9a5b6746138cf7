import type { AnyProviderDefinition } from './provider.js'

/** Provider definitions by `type`. */
export interface ProviderRegistry {
  /** The definition for `type`, or undefined. */
  get (type: string): AnyProviderDefinition | undefined
  /** Every registered type, in registration order. */
  types (): string[]
  /** Every definition, in registration order. */
  definitions (): AnyProviderDefinition[]
  /** The secret field names every registered type declares (`secretFields`), for the logger's redaction. */
  secretFields (): string[]
}

/** True for a field name the logger can redact (a JavaScript identifier): what `secretFields` may hold. */
export function isFieldName (name: unknown): name is string {
  return typeof name === 'string' && /^[A-Za-z_$][\w$]*$/.test(name)
}

/**
 * Index provider definitions by type.
 * @throws Error on a definition without `type`/`create`/`configSchema`, a duplicate type, or a secret
 *   field name that is not an identifier.
 */
export function createRegistry (definitions: readonly AnyProviderDefinition[]): ProviderRegistry {
  const byType = new Map<string, AnyProviderDefinition>()
  for (const [index, def] of definitions.entries()) {
    if (typeof def?.type !== 'string' || def.type === '') throw new Error(`provider definition #${index} has no type`)
    if (typeof def.create !== 'function') throw new Error(`provider definition "${def.type}" has no create()`)
    if (typeof def.configSchema !== 'object' || def.configSchema === null) {
      throw new Error(`provider definition "${def.type}" has no configSchema`)
    }
    const badField = (def.secretFields ?? []).find(f => !isFieldName(f))
    if (badField !== undefined) throw new Error(`provider definition "${def.type}" declares the secret field "${badField}", which is not an identifier`)
    if (byType.has(def.type)) throw new Error(`provider type "${def.type}" is registered twice`)
    byType.set(def.type, def)
  }
  return {
    get: (type) => byType.get(type),
    types: () => [...byType.keys()],
    definitions: () => [...byType.values()],
    secretFields: () => [...new Set([...byType.values()].flatMap(d => d.secretFields ?? []))]
  }
}
