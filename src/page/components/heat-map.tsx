import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { translate, type Language } from '../i18n.js'
import type { History, Instance } from '../types.js'

const hh = (hour: number): string => `${String(hour % 24).padStart(2, '0')}:00`

/**
 * The instance host's GPU history, loaded when opened (`GET …/history`): a week-by-hour heat map of the
 * share of time it had the GPUs the instance needs, with the overall share and the best hours.
 */
export function HistoryPanel ({ instance, language }: { instance: Instance; language: Language }) {
  const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>): string => translate(language, key, vars)
  const [history, setHistory] = useState<History | null | 'loading' | 'none'>(null)
  const load = (open: boolean): void => {
    if (!open || history !== null) return
    setHistory('loading')
    api<History>(`/api/v1/instances/${encodeURIComponent(instance.provider)}/${encodeURIComponent(instance.id)}/history`)
      .then(h => setHistory(h.available === null ? 'none' : h), () => setHistory('none'))
  }
  return (
    <details class='history' onToggle={(e) => load((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{t('history')}</summary>
      {history === 'loading' || history === null ? <p>{t('loading')}</p> : history === 'none' ? <p>{t('historyNone')}</p> : <HeatMap history={history} t={t} />}
    </details>
  )
}

function HeatMap ({ history, t }: { history: History; t: (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => string }) {
  const days = t('weekdays').split(' ')
  const best = history.bestHours
  return (
    <div class='heat'>
      <p class='heat-summary'>
        {t('historySummary', { percent: Math.round((history.available ?? 0) * 100) })}
        {best ? ` · ${t('historyBest', { from: hh(best.from), to: hh(best.to) })}` : ''}
      </p>
      <table class='heat-map'>
        <caption>{t('historyCaption', { need: history.need })}</caption>
        <thead>
          <tr><td />{Array.from({ length: 24 }, (_, h) => <th scope='col' key={h}>{h % 6 === 0 ? h : <span class='sr-only'>{h}</span>}</th>)}</tr>
        </thead>
        <tbody>
          {history.week.map((row, d) => (
            <tr key={d}>
              <th scope='row'>{days[d]}</th>
              {row.map((value, h) => {
                const text = value === null ? t('notObserved') : `${Math.round(value * 100)}%`
                return (
                  <td key={h} class={value === null ? 'unseen' : ''} style={value === null ? undefined : { '--share': String(value) }} title={t('historyCell', { day: days[d]!, hour: hh(h), value: text })}>
                    <span class='sr-only'>{text}</span>
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
