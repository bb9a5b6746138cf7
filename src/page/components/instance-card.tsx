import { hasIdleGpus, stateFits, supports, type ActionKind, type Capabilities, type Instance, type PowerOnMode, type Verb } from '../types.js'
import { bytes, dateTime, duration, HOUR_MS } from '../format.js'
import { translate, type Language } from '../i18n.js'
import { HistoryPanel } from './heat-map.js'

/** What is going on with an action started from the page, shown on its instance. */
export interface ActionView { text: string; status: 'running' | 'succeeded' | 'failed' }

export interface Choice { kind: ActionKind; mode: PowerOnMode; label: Verb }

const CHOICES: readonly Choice[] = [
  { kind: 'power-on', mode: 'gpu', label: 'on' },
  { kind: 'power-on', mode: 'no_gpu', label: 'nogpu' },
  { kind: 'power-off', mode: 'gpu', label: 'off' },
  { kind: 'keep-alive', mode: 'no_gpu', label: 'keepalive' }
]

/** The actions the instance's state and its provider allow now (the bot's rules); none on stale data. */
export function choices (i: Instance, caps: Capabilities | undefined): Choice[] {
  if (i.stale) return []
  return CHOICES.filter(c => supports(c.label, caps) && stateFits(c.label, i))
}

/** A power-on with GPU would work now: the provider can, the instance is off, and its host has the GPUs. */
export function canPowerOnWithGpu (i: Instance, caps: Capabilities | undefined): boolean {
  return caps?.powerOn === true && (i.state === 'stopped' || i.state === 'offline') && hasIdleGpus(i)
}

function Bar ({ label, used, total, text }: { label: string; used: number; total: number; text: string }) {
  const ratio = total > 0 ? Math.min(1, Math.max(0, used / total)) : 0
  return (
    <div class='metric'>
      <span class='metric-label'>{label}</span>
      <span class='bar' aria-hidden='true'><span style={{ width: `${Math.round(ratio * 100)}%` }} class={ratio > 0.9 ? 'hot' : ''} /></span>
      <span class='metric-value'>{text}</span>
    </div>
  )
}

interface Props {
  instance: Instance
  caps: Capabilities | undefined
  error: string | null
  language: Language
  now: number
  control: boolean
  action: ActionView | undefined
  onAct: (instance: Instance, choice: Choice) => void
}

export function InstanceCard ({ instance: i, caps, error, language, now, control, action, onAct }: Props) {
  const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>): string => translate(language, key, vars)
  const gpu = i.gpu
  const m = i.metrics
  const releaseLeft = i.releaseAt ? Date.parse(i.releaseAt) - now : null
  const expiryLeft = i.expiresAt ? Date.parse(i.expiresAt) - now : null
  const ready = canPowerOnWithGpu(i, caps)
  const busy = action?.status === 'running'
  return (
    <li class={`card state-${i.state}${i.stale ? ' is-stale' : ''}`} data-instance={`${i.provider}/${i.id}`}>
      <div class='card-head'>
        <h3 class='name'>{i.region ? <span class='region'>{i.region} / </span> : null}{i.name}</h3>
        <span class={`badge state-${i.state}`}>{i.state === 'unknown' ? i.providerState : t(`states.${i.state}`)}</span>
      </div>
      {i.stale ? <p class='stale' role='note'>⚠ {error ? t('stale', { error }) : t('staleNoError')}</p> : null}
      <dl class='facts'>
        {gpu
          ? (
            <div>
              <dt>{t('gpu')}</dt>
              <dd>
                {gpu.model ?? 'GPU'}{gpu.requested !== null ? ` × ${gpu.requested}` : ''}
                {gpu.hostIdle !== null
                  ? (
                    <span class={`host-gpus${hasIdleGpus(i) ? ' idle' : ''}`}>
                      {' · '}{t('hostGpus', { idle: gpu.hostIdle, total: gpu.hostTotal ?? '?' })}
                      {ready ? <span class='ready'><span class='ready-dot' aria-hidden='true' /><span class='ready-text'>{t('canPowerOn')}</span></span> : null}
                    </span>
                    )
                  : null}
              </dd>
            </div>
            )
          : null}
        {releaseLeft !== null
          ? <div><dt class='sr-only'>release</dt><dd class={`release${releaseLeft < 24 * HOUR_MS ? ' urgent' : ''}`} title={dateTime(i.releaseAt!, language)}>{releaseLeft > 0 ? t('release', { left: duration(releaseLeft, language) }) : t('released')}</dd></div>
          : null}
        {expiryLeft !== null
          ? <div><dt class='sr-only'>expiry</dt><dd class={`expiry${expiryLeft < 24 * HOUR_MS ? ' urgent' : ''}`} title={dateTime(i.expiresAt!, language)}>{expiryLeft > 0 ? t('expires', { left: duration(expiryLeft, language) }) : t('expired')}</dd></div>
          : null}
        {i.stopAt !== undefined
          ? <div><dt class='sr-only'>stop timer</dt><dd class='stop-timer' title={dateTime(i.stopAt, language)}>⏱ {t('stopsIn', { left: duration(Math.max(0, Date.parse(i.stopAt) - now), language) })}</dd></div>
          : null}
        {i.pricePerHour !== null ? <div><dt class='sr-only'>price</dt><dd class='price'>{t('price', { price: i.pricePerHour.toFixed(2) })}</dd></div> : null}
        {i.lastSeenAt ? <div><dt class='sr-only'>last seen</dt><dd class='seen' title={dateTime(i.lastSeenAt, language)}>{t('lastSeen', { when: t('ago', { d: duration(now - Date.parse(i.lastSeenAt), language) }) })}</dd></div> : null}
      </dl>
      {m && (m.cpuPercent !== null || m.memoryTotalBytes !== null || m.diskTotalBytes !== null || m.gpuPercent !== null)
        ? (
          <div class='metrics'>
            {m.cpuPercent !== null ? <Bar label={t('cpu')} used={m.cpuPercent} total={100} text={`${Math.round(m.cpuPercent)}%`} /> : null}
            {m.memoryTotalBytes !== null && m.memoryUsedBytes !== null ? <Bar label={t('memory')} used={m.memoryUsedBytes} total={m.memoryTotalBytes} text={`${bytes(m.memoryUsedBytes)} / ${bytes(m.memoryTotalBytes)}`} /> : null}
            {m.diskTotalBytes !== null && m.diskUsedBytes !== null ? <Bar label={t('disk')} used={m.diskUsedBytes} total={m.diskTotalBytes} text={`${bytes(m.diskUsedBytes)} / ${bytes(m.diskTotalBytes)}`} /> : null}
            {m.gpuPercent !== null ? <Bar label={t('gpuUse')} used={m.gpuPercent} total={100} text={`${Math.round(m.gpuPercent)}%`} /> : null}
          </div>
          )
        : null}
      {gpu !== null && gpu.hostIdle !== null ? <HistoryPanel instance={i} language={language} /> : null}
      {action ? <p class={`action action-${action.status}`} role='status'>{action.text}</p> : null}
      {control
        ? (
          <div class='actions'>
            {choices(i, caps).map(c => (
              <button type='button' key={c.label} class={`act act-${c.label}`} disabled={busy} onClick={() => onAct(i, c)}>{t(c.label)}</button>
            ))}
          </div>
          )
        : null}
    </li>
  )
}
