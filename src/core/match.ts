import type { Instance } from './instance.js'

/** Shortest id prefix accepted, so that one or two characters do not pick an instance by accident. */
export const MIN_PREFIX = 3

/**
 * Instances that `query` names, best matches only: `provider/id` exactly; else an exact id; else an
 * exact name (case-insensitive); else an id or name prefix (at least {@link MIN_PREFIX} characters).
 * Several results mean the query is ambiguous; none, that nothing matches.
 */
export function matchInstances (instances: readonly Instance[], query: string): Instance[] {
  const q = query.trim()
  if (q === '') return []
  const slash = q.indexOf('/')
  if (slash > 0) {
    const exact = instances.filter(i => i.provider === q.slice(0, slash) && i.id === q.slice(slash + 1))
    if (exact.length) return exact
  }
  const lower = q.toLowerCase()
  for (const test of [
    (i: Instance) => i.id === q,
    (i: Instance) => i.name.toLowerCase() === lower
  ]) {
    const found = instances.filter(test)
    if (found.length) return found
  }
  if (q.length < MIN_PREFIX) return []
  return instances.filter(i => i.id.startsWith(q) || i.name.toLowerCase().startsWith(lower))
}
