import type { ProviderDefinition } from './provider.js'

/** Provider definitions by `type`. */
export interface ProviderRegistry {
  /** The definition for `type`, or undefined. */
  get (type: string): ProviderDefinition | undefined
  /** Every registered type, in registration order. */
  types (): string[]
}

/**
 * Index provider definitions by type.
 * @throws Error on a definition without `type`/`create`/`configSchema`, or a duplicate type.
 */
export function createRegistry (definitions: readonly ProviderDefinition<any>[]): ProviderRegistry {
  const byType = new Map<string, ProviderDefinition>()
  for (const [index, def] of definitions.entries()) {
    if (typeof def?.type !== 'string' || def.type === '') throw new Error(`provider definition #${index} has no type`)
    if (typeof def.create !== 'function') throw new Error(`provider definition "${def.type}" has no create()`)
    if (typeof def.configSchema !== 'object' || def.configSchema === null) {
      throw new Error(`provider definition "${def.type}" has no configSchema`)
    }
    if (byType.has(def.type)) throw new Error(`provider type "${def.type}" is registered twice`)
    byType.set(def.type, def)
  }
  return {
    get: (type) => byType.get(type),
    types: () => [...byType.keys()]
  }
}
