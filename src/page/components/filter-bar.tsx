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
      <div class='field'>
        <label for='filter-provider'>{t('provider')}</label>
        <select id='filter-provider' name='provider' value={filters.provider} onChange={(e) => set({ provider: (e.target as HTMLSelectElement).value })}>
          <option value=''>{t('all')}</option>
          {providers.map(p => <option key={p.id} value={p.id}>{p.id}</option>)}
        </select>
      </div>
      <div class='field'>
        <label for='filter-type'>{t('type')}</label>
        <select id='filter-type' name='type' value={filters.type} onChange={(e) => set({ type: (e.target as HTMLSelectElement).value })}>
          <option value=''>{t('all')}</option>
          {types.map(type => <option key={type} value={type}>{type}</option>)}
        </select>
      </div>
      <div class='field'>
        <label for='filter-state'>{t('state')}</label>
        <select id='filter-state' name='state' value={filters.state} onChange={(e) => set({ state: (e.target as HTMLSelectElement).value as Filters['state'] })}>
          <option value=''>{t('all')}</option>
          {STATES.map(s => <option key={s} value={s}>{translate(language, `states.${s}`)}</option>)}
        </select>
      </div>
      <label class='check'>
        <input type='checkbox' name='gpuIdle' checked={filters.gpuIdle} onChange={(e) => set({ gpuIdle: (e.target as HTMLInputElement).checked })} />
        <span>{t('gpuIdle')}</span>
      </label>
      <div class='field search'>
        <label for='filter-q'>{t('search')}</label>
        <input id='filter-q' type='search' name='q' value={filters.q} placeholder={t('searchPlaceholder')} onInput={(e) => set({ q: (e.target as HTMLInputElement).value })} />
      </div>
    </form>
  )
}
