import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api, ApiError, followEvents, storedKey, storeKey } from './api.js'
import { ConfirmDialog, KeyDialog } from './components/dialogs.js'
import { FilterBar } from './components/filter-bar.js'
import { InstanceCard, type ActionView, type Choice } from './components/instance-card.js'
import { HealthStrip, ProviderHeader } from './components/provider-section.js'
import { matches, readFilters, writeFilters, type Filters } from './filters.js'
import { duration } from './format.js'
import { initialLanguage, rememberLanguage, translate, type Language } from './i18n.js'
import type { ActionRecord, Confirmation, Instance, Me, Snapshot } from './types.js'

const path = (i: Instance, tail: string): string => `/api/v1/instances/${encodeURIComponent(i.provider)}/${encodeURIComponent(i.id)}/${tail}`
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

export function App () {
  const [language, setLanguage] = useState<Language>(initialLanguage)
  const [me, setMe] = useState<Me | null>(null)
  /** null: no key asked; '': asked; text: the last key was refused. */
  const [keyPrompt, setKeyPrompt] = useState<string | null>(null)
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [live, setLive] = useState(false)
  const [filters, setFilters] = useState<Filters>(() => readFilters(location.search))
  const [now, setNow] = useState(Date.now())
  const [actions, setActions] = useState<Record<string, ActionView>>({})
  const [confirming, setConfirming] = useState<{ instance: Instance; choice: Choice; confirmation: Confirmation } | null>(null)
  /** The view's `generatedAt` as shown, for the event stream's callback (which outlives renders). */
  const snapshotAt = useRef<string | null>(null)
  snapshotAt.current = snapshot?.generatedAt ?? null
  const loading = useRef<Promise<void> | null>(null)
  const again = useRef(false)
  const t = useCallback((key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(language, key, vars), [language])

  useEffect(() => {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en'
    rememberLanguage(language)
  }, [language])

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])

  /** Read the view; a change announced while reading is read right after. */
  const load = useCallback(async (): Promise<void> => {
    if (loading.current) { again.current = true; return await loading.current }
    loading.current = (async () => {
      do {
        again.current = false
        try {
          setSnapshot(await api<Snapshot>('/api/v1/instances'))
          setError(null)
        } catch (err) {
          if (err instanceof ApiError && err.status === 401) { storeKey(null); setMe(null); setKeyPrompt('') } else setError((err as Error).message)
        }
      } while (again.current)
      loading.current = null
    })()
    return await loading.current
  }, [])

  const identify = useCallback(async (): Promise<void> => {
    try {
      const who = await api<Me>('/api/v1/me')
      if (!who.authenticated) {
        // A key is needed: ask for it (saying so when the one kept for this tab was refused).
        const refused = storedKey() !== null
        storeKey(null)
        setMe(null)
        setKeyPrompt(refused ? translate(language, 'keyWrong') : '')
        return
      }
      setMe(who)
      setKeyPrompt(null)
      await load()
    } catch (err) {
      setError((err as Error).message)
    }
  }, [load, language])

  useEffect(() => { void identify() }, [])

  // Live: one event stream while the page is open; each snapshot event reads the view again.
  useEffect(() => {
    if (!me) return
    const stop = new AbortController()
    void followEvents((generatedAt) => { if (generatedAt !== snapshotAt.current) void load() }, setLive, stop.signal)
    return () => stop.abort()
  }, [me, load])

  const changeFilters = (next: Filters): void => {
    setFilters(next)
    history.replaceState(null, '', `${location.pathname}${writeFilters(next)}`)
  }

  const ask = async (instance: Instance, choice: Choice): Promise<void> => {
    const key = `${instance.provider}/${instance.id}`
    try {
      const confirmation = await api<Confirmation>(path(instance, 'confirmations'), { action: choice.kind, mode: choice.mode, lang: language })
      setConfirming({ instance, choice, confirmation })
    } catch (err) {
      setActions(a => ({ ...a, [key]: { status: 'failed', text: t('failed', { verb: t(choice.label), error: (err as Error).message }) } }))
    }
  }

  const run = async (): Promise<void> => {
    if (!confirming) return
    const { instance, choice, confirmation } = confirming
    setConfirming(null)
    const key = `${instance.provider}/${instance.id}`
    const verb = t(choice.label)
    const show = (record: ActionRecord): void => setActions(a => ({
      ...a,
      [key]: record.status === 'succeeded'
        ? { status: 'succeeded', text: t('succeeded', { verb, state: record.instanceState }) }
        : record.status === 'failed'
          ? { status: 'failed', text: t('failed', { verb, error: record.error?.message ?? record.step }) }
          : { status: 'running', text: t('working', { verb, step: record.step }) }
    }))
    try {
      const body = choice.kind === 'power-on' ? { mode: choice.mode, confirmation: confirmation.token } : { confirmation: confirmation.token }
      let record = await api<ActionRecord>(path(instance, choice.kind), body)
      show(record)
      while (record.status === 'pending' || record.status === 'running') {
        await sleep(1500)
        record = await api<ActionRecord>(`/api/v1/actions/${encodeURIComponent(record.id)}`)
        show(record)
      }
      void load()
    } catch (err) {
      setActions(a => ({ ...a, [key]: { status: 'failed', text: t('failed', { verb, error: (err as Error).message }) } }))
    }
  }

  const shown = useMemo(() => snapshot?.instances.filter(i => matches(i, filters)) ?? [], [snapshot, filters])
  const providers = snapshot?.providers ?? []
  const control = me?.control === true

  return (
    <>
      <header class='top'>
        <h1>{t('title')}</h1>
        <p class='freshness' aria-live='polite'>
          <span class={`dot ${live ? 'live' : 'down'}`} aria-hidden='true' />
          {live ? t('live') : t('offline')}
          {snapshot ? <> · <time dateTime={snapshot.generatedAt}>{t('updated', { n: duration(now - Math.min(now, Date.parse(snapshot.generatedAt)), language) })}</time></> : null}
        </p>
        <div class='who'>
          {me ? <span class='role'>{me.control ? t('operator', { name: me.name ?? '' }) : t('readOnly')}</span> : null}
          {storedKey() ? <button type='button' class='link' onClick={() => { storeKey(null); location.reload() }}>{t('forgetKey')}</button> : null}
          <button type='button' class='lang' aria-label={`${t('languageLabel')}: ${t('language')}`} onClick={() => setLanguage(language === 'zh' ? 'en' : 'zh')}>{t('language')}</button>
        </div>
      </header>
      {providers.length > 0 ? <HealthStrip providers={providers} language={language} onPick={(id) => changeFilters({ ...filters, provider: filters.provider === id ? '' : id })} /> : null}
      {snapshot ? <FilterBar filters={filters} providers={providers} language={language} onChange={changeFilters} /> : null}
      <main>
        {error ? <p class='error' role='alert'>{t('error', { error })}</p> : null}
        {!snapshot && !error && keyPrompt === null ? <p>{t('loading')}</p> : null}
        {snapshot
          ? <p class='count'>{t('shown', { shown: shown.length, total: snapshot.instances.length })}</p>
          : null}
        {snapshot && shown.length === 0 ? <p class='empty'>{t('none')}</p> : null}
        {providers.map(p => {
          const list = shown.filter(i => i.provider === p.id)
          if (list.length === 0 && (filters.provider !== p.id && (filters.provider || filters.q || filters.state || filters.gpuIdle || filters.type))) return null
          return (
            <section key={p.id} class='provider' aria-labelledby={`provider-${p.id}`}>
              <ProviderHeader status={p} language={language} now={now} shown={list.length} />
              <ul class='cards'>
                {list.map(i => (
                  <InstanceCard
                    key={`${i.provider}/${i.id}`} instance={i} caps={p.capabilities} error={p.error?.message ?? null} language={language} now={now}
                    control={control} action={actions[`${i.provider}/${i.id}`]} onAct={(inst, c) => { void ask(inst, c) }}
                  />
                ))}
              </ul>
            </section>
          )
        })}
      </main>
      {keyPrompt !== null ? <KeyDialog language={language} error={keyPrompt || null} onSubmit={(key) => { storeKey(key); void identify() }} /> : null}
      {confirming ? <ConfirmDialog language={language} text={confirming.confirmation.text} onConfirm={() => { void run() }} onCancel={() => setConfirming(null)} /> : null}
    </>
  )
}
