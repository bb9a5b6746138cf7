import type { ProviderStatus } from '../types.js'
import { dateTime, duration } from '../format.js'
import { translate, type Language } from '../i18n.js'

/** `balance: 12.5 · quota.cpu: 200` — an entry's account facts (BoardMate balance and quota), flattened. */
export function accountFacts (account: Record<string, unknown> | null): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const [key, value] of Object.entries(account ?? {})) {
    if (value !== null && typeof value === 'object') {
      for (const [sub, v] of Object.entries(value)) if (v !== null && typeof v !== 'object') out.push([`${key}.${sub}`, String(v)])
    } else if (value !== null) out.push([key, String(value)])
  }
  return out
}

/** The heading of one provider entry: its health, last success, poll time and account facts. */
export function ProviderHeader ({ status: p, language, now, shown }: { status: ProviderStatus; language: Language; now: number; shown: number }) {
  const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>): string => translate(language, key, vars)
  const polled = p.lastSuccessAt !== null || p.lastErrorAt !== null
  return (
    <header class='provider-head'>
      <h2 id={`provider-${p.id}`}>{p.id} <span class='type'>{p.type}</span></h2>
      <span class={`badge ${p.ok ? 'ok' : polled ? 'failing' : 'pending'}`}>{p.ok ? t('ok') : polled ? t('failing') : t('notPolled')}</span>
      <p class='provider-facts'>
        <span>{t('instances', { n: shown === p.instanceCount ? p.instanceCount : `${shown}/${p.instanceCount}` })}</span>
        <span title={p.lastSuccessAt ? dateTime(p.lastSuccessAt, language) : undefined}>
          {t('lastSuccess', { when: p.lastSuccessAt ? t('ago', { d: duration(now - Date.parse(p.lastSuccessAt), language) }) : t('never') })}
        </span>
        {p.durationMs !== null ? <span>{t('pollTook', { ms: p.durationMs })}</span> : null}
        {accountFacts(p.account).map(([k, v]) => <span key={k} class='account'>{k}: {v}</span>)}
      </p>
      {p.error ? <p class='provider-error' role='note'>{p.error.message}</p> : null}
    </header>
  )
}

/** One chip per entry: ok / failing with the reason; a click filters the view to it. */
export function HealthStrip ({ providers, language, onPick }: { providers: ProviderStatus[]; language: Language; onPick: (id: string) => void }) {
  return (
    <nav class='health' aria-label={translate(language, 'health')}>
      {providers.map(p => (
        <button type='button' key={p.id} class={`chip ${p.ok ? 'ok' : 'failing'}`} title={p.error?.message ?? translate(language, p.ok ? 'ok' : 'notPolled')} onClick={() => onPick(p.id)}>
          <span aria-hidden='true'>{p.ok ? '●' : '▲'}</span> {p.id} <span class='sr-only'>{translate(language, p.ok ? 'ok' : 'failing')}</span>
        </button>
      ))}
    </nav>
  )
}
