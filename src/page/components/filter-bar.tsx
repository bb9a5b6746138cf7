import type { Filters } from '../filters.js'
import { STATES, type ProviderStatus } from '../types.js'
import { translate, type Language } from '../i18n.js'

/** Provider, type, state, GPU idle and a search box; every change goes to the URL too. */
export function FilterBar ({ filters, providers, language, onChange }: { filters: Filters; providers: ProviderStatus[]; language: Language; onChange: (f: Filters) => void }) {
  const t = (key: Parameters<typeof translate>[1]): string => translate(language, key)
  const types = [...new Set(providers.map(p => p.type))].sort()
  const set = (patch: Partial<Filters>): void => onChange({ ...filters, ...patch })
  return (
    <form class='filters' role='search' aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
      <label>
        <span>{t('provider')}</span>
        <select name='provider' value={filters.provider} onChange={(e) => set({ provider: (e.target as HTMLSelectElement).value })}>
          <option value=''>{t('all')}</option>
          {providers.map(p => <option key={p.id} value={p.id}>{p.id}</option>)}
        </select>
      </label>
      <label>
        <span>{t('type')}</span>
        <select name='type' value={filters.type} onChange={(e) => set({ type: (e.target as HTMLSelectElement).value })}>
          <option value=''>{t('all')}</option>
          {types.map(type => <option key={type} value={type}>{type}</option>)}
        </select>
      </label>
      <label>
        <span>{t('state')}</span>
        <select name='state' value={filters.state} onChange={(e) => set({ state: (e.target as HTMLSelectElement).value as Filters['state'] })}>
          <option value=''>{t('all')}</option>
          {STATES.map(s => <option key={s} value={s}>{translate(language, `states.${s}`)}</option>)}
        </select>
      </label>
      <label class='check'>
        <input type='checkbox' name='gpuIdle' checked={filters.gpuIdle} onChange={(e) => set({ gpuIdle: (e.target as HTMLInputElement).checked })} />
        <span>{t('gpuIdle')}</span>
      </label>
      <label class='search'>
        <span>{t('search')}</span>
        <input type='search' name='q' value={filters.q} placeholder={t('searchPlaceholder')} onInput={(e) => set({ q: (e.target as HTMLInputElement).value })} />
      </label>
    </form>
  )
}
