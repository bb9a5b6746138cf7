import { hasIdleGpus, STATES, type Instance, type InstanceState } from './types.js'

/** What the viewer narrowed the view to; kept in the URL's query so a view can be shared. */
export interface Filters {
  provider: string
  type: string
  state: InstanceState | ''
  gpuIdle: boolean
  q: string
}

export const NO_FILTERS: Filters = { provider: '', type: '', state: '', gpuIdle: false, q: '' }

export function readFilters (search: string): Filters {
  const p = new URLSearchParams(search)
  const state = p.get('state') ?? ''
  return {
    provider: p.get('provider') ?? '',
    type: p.get('type') ?? '',
    state: (STATES as readonly string[]).includes(state) ? state as InstanceState : '',
    gpuIdle: p.get('gpuIdle') === 'true',
    q: p.get('q') ?? ''
  }
}

/** The query string of `filters` (`?provider=lab&gpuIdle=true`), empty without any. */
export function writeFilters (filters: Filters): string {
  const p = new URLSearchParams()
  if (filters.provider) p.set('provider', filters.provider)
  if (filters.type) p.set('type', filters.type)
  if (filters.state) p.set('state', filters.state)
  if (filters.gpuIdle) p.set('gpuIdle', 'true')
  if (filters.q.trim()) p.set('q', filters.q.trim())
  const text = p.toString()
  return text ? `?${text}` : ''
}

export function matches (i: Instance, f: Filters): boolean {
  if (f.provider && i.provider !== f.provider) return false
  if (f.type && i.providerType !== f.type) return false
  if (f.state && i.state !== f.state) return false
  if (f.gpuIdle && !hasIdleGpus(i)) return false
  const q = f.q.trim().toLowerCase()
  if (!q) return true
  return [i.name, i.region, i.id, i.gpu?.model, i.provider].some(v => v?.toLowerCase().includes(q))
}
