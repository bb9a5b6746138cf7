import { DateTime, Duration } from 'luxon'
import { hasIdleGpus, type Instance } from '../core/instance.js'
import { NOT_POLLED_YET } from '../core/errors.js'
import type { ProviderStatus, Snapshot } from '../core/snapshot.js'
import type { Language, Translate } from './i18n.js'

/** Telegram's limit is 4096 characters per message; keep a margin. */
export const MESSAGE_LIMIT = 3800

/** `13天、4小时` / `13d, 4h`: days and hours, or hours and minutes under a day, or minutes, or seconds under a minute. */
export function formatDuration (ms: number, language: Language): string {
  if (ms < 60_000) {
    return Duration.fromObject({ seconds: Math.max(0, Math.round(ms / 1000)) }).reconfigure({ locale: language }).toHuman({ unitDisplay: language === 'zh' ? 'short' : 'narrow' })
  }
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const d = Math.floor(minutes / 1440)
  const h = Math.floor((minutes % 1440) / 60)
  const m = minutes % 60
  const parts = d > 0 ? { days: d, hours: h } : h > 0 ? { hours: h, minutes: m } : { minutes: m }
  const units = Object.fromEntries(Object.entries(parts).filter(([, v], i) => i === 0 || v > 0))
  return Duration.fromObject(units).reconfigure({ locale: language }).toHuman({ unitDisplay: language === 'zh' ? 'short' : 'narrow' })
}

/** `2 分钟前` / `2 minutes ago` (or `in 3 hours`). */
export function relativeTime (iso: string, now: Date, language: Language): string {
  return DateTime.fromISO(iso).toRelative({ base: DateTime.fromJSDate(now), locale: language }) ?? iso
}

/** {@link relativeTime}, or the "never" word for null. */
export function formatAgo (iso: string | null, now: Date, language: Language, t: Translate): string {
  return iso === null ? t('status.never') : relativeTime(iso, now, language)
}

/** `4.0 GiB`: binary units, one decimal. */
export function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

/**
 * One `/gpuvalid` line: region / name · GPU model · GPUs idle/total (only where the provider counts
 * them) · state · last seen (offline machines) · live CPU/memory/GPU · release or expiry countdown · price.
 * The mark is 🟢/⚪ for instances with GPU counts (enough idle to power on with GPU, or not), • otherwise.
 */
export function instanceLine (i: Instance, now: Date, language: Language, t: Translate): string {
  const parts = [`${i.region ? `${i.region} / ` : ''}${i.name}`]
  const counted = i.gpu !== null && i.gpu.hostIdle !== null && i.gpu.hostTotal !== null
  if (i.gpu?.model) parts.push(i.gpu.requested ? `${i.gpu.model} ×${i.gpu.requested}` : i.gpu.model)
  if (counted) parts.push(t('gpuvalid.idle', { idle: i.gpu!.hostIdle, total: i.gpu!.hostTotal }))
  parts.push(i.state === 'unknown' ? t('state.unknown', { word: i.providerState }) : t(`state.${i.state}`))
  if (i.state === 'offline') parts.push(i.lastSeenAt ? t('gpuvalid.lastSeen', { ago: formatAgo(i.lastSeenAt, now, language, t) }) : t('gpuvalid.neverSeen'))
  const m = i.metrics
  if (m && i.state === 'running') {
    if (m.cpuPercent !== null) parts.push(t('gpuvalid.cpu', { value: Math.round(m.cpuPercent) }))
    if (m.memoryUsedBytes !== null && m.memoryTotalBytes !== null) parts.push(t('gpuvalid.memory', { used: formatBytes(m.memoryUsedBytes), total: formatBytes(m.memoryTotalBytes) }))
    if (m.gpuPercent !== null) parts.push(t('gpuvalid.gpuLoad', { value: Math.round(m.gpuPercent) }))
  }
  if (i.releaseAt) {
    const left = Date.parse(i.releaseAt) - now.getTime()
    parts.push(left > 0 ? t('gpuvalid.release', { left: formatDuration(left, language) }) : t('gpuvalid.releasePassed'))
  }
  if (i.expiresAt) {
    const left = Date.parse(i.expiresAt) - now.getTime()
    parts.push(left > 0 ? t('gpuvalid.expires', { left: formatDuration(left, language) }) : t('gpuvalid.expired'))
  }
  if (i.pricePerHour !== null) parts.push(t('gpuvalid.price', { price: i.pricePerHour.toFixed(2) }))
  const mark = !counted ? '•' : hasIdleGpus(i) ? '🟢' : '⚪'
  return `${mark} ${parts.join(' · ')}`
}

/** The `/gpuvalid` answer for a (viewer-filtered) snapshot, as lines. */
export function gpuvalidLines (view: Snapshot, now: Date, language: Language, t: Translate): string[] {
  if (view.instances.length === 0) return [t('gpuvalid.empty')]
  const lines: string[] = []
  const grouped = view.providers.length > 1
  for (const provider of view.providers) {
    const instances = view.instances.filter(i => i.provider === provider.id)
    if (instances.length === 0) continue
    if (grouped) lines.push(t('gpuvalid.header', { provider: provider.id }))
    for (const i of instances) lines.push(instanceLine(i, now, language, t))
    if (instances.some(i => i.stale)) lines.push(t('gpuvalid.stale', { provider: provider.id }))
  }
  return lines
}

/** The `/status` lines of a provider entry: health, read-only mark, and account facts when it has any. */
export function statusLine (p: ProviderStatus, now: Date, language: Language, t: Translate): string {
  const readOnly = !p.capabilities.powerOn && !p.capabilities.powerOff
  const args = { id: p.id, type: readOnly ? `${p.type}, ${t('status.readOnly')}` : p.type, count: p.instanceCount, last: formatAgo(p.lastSuccessAt, now, language, t) }
  const head = p.ok
    ? t('status.ok', args)
    : p.error?.code === NOT_POLLED_YET
      ? t('status.pending', args)
      : t('status.failing', { ...args, error: p.error ? `${p.error.code}: ${p.error.message}` : '' })
  return p.account ? `${head}\n${t('status.account', { details: formatAccount(p.account) })}` : head
}

/** `money 5269 · used cpu 100, servers 2 · quota cpu 100, servers 3`. */
export function formatAccount (account: NonNullable<ProviderStatus['account']>): string {
  return Object.entries(account).map(([key, value]) => value !== null && typeof value === 'object'
    ? `${key} ${Object.entries(value).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`
    : `${key} ${String(value)}`).join(' · ')
}

/** Split lines into messages under {@link MESSAGE_LIMIT} characters. */
export function chunk (lines: string[], limit = MESSAGE_LIMIT): string[] {
  const messages: string[] = []
  let current = ''
  for (const line of lines) {
    const piece = line.length > limit ? `${line.slice(0, limit - 1)}…` : line
    if (current && current.length + 1 + piece.length > limit) {
      messages.push(current)
      current = ''
    }
    current = current ? `${current}\n${piece}` : piece
  }
  if (current) messages.push(current)
  return messages
}

/** `北京A区 / 641机`. */
export function instanceLabel (i: Pick<Instance, 'region' | 'name'>): string {
  return `${i.region ? `${i.region} / ` : ''}${i.name}`
}

/** `2026-12-06 13:42` in `zone` (an IANA name; null or absent: the system's local zone). */
export function formatTime (iso: string, zone?: string | null): string {
  return DateTime.fromISO(iso).setZone(zone ?? 'local').toFormat('yyyy-MM-dd HH:mm')
}
