import { DateTime } from 'luxon'
import { hasIdleGpus, type Instance } from '../core/instance.js'
import { NOT_POLLED_YET } from '../core/errors.js'
import type { ProviderStatus, Snapshot } from '../core/snapshot.js'
import type { MarketHost } from '../core/provider.js'
import type { Language, Translate } from './i18n.js'

/** Telegram's limit is 4096 characters per message; keep a margin. */
export const MESSAGE_LIMIT = 3800

type DurationUnit = 'day' | 'hour' | 'minute' | 'second'
const unitFormats = new Map<string, Intl.NumberFormat>()
const listFormats = new Map<Language, Intl.ListFormat>()

/**
 * What luxon's `Duration#toHuman` writes (each unit through `Intl.NumberFormat`, joined by a narrow
 * `Intl.ListFormat`), with the formatters made once: `/gpuvalid` writes a countdown on every line.
 */
function humanDuration (parts: ReadonlyArray<[DurationUnit, number]>, language: Language): string {
  const unitDisplay = language === 'zh' ? 'short' : 'narrow'
  const words = parts.map(([unit, value]) => {
    const key = `${language} ${unit}`
    let format = unitFormats.get(key)
    if (!format) unitFormats.set(key, format = new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay }))
    return format.format(value)
  })
  let list = listFormats.get(language)
  if (!list) listFormats.set(language, list = new Intl.ListFormat(language, { type: 'conjunction', style: 'narrow' }))
  return list.format(words)
}

/** `13天4小时` / `13d, 4h`: days and hours, or hours and minutes under a day, or minutes, or seconds under a minute. */
export function formatDuration (ms: number, language: Language): string {
  if (ms < 60_000) return humanDuration([['second', Math.max(0, Math.round(ms / 1000))]], language)
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const d = Math.floor(minutes / 1440)
  const h = Math.floor((minutes % 1440) / 60)
  const m = minutes % 60
  const parts: Array<[DurationUnit, number]> = d > 0 ? [['day', d], ['hour', h]] : h > 0 ? [['hour', h], ['minute', m]] : [['minute', m]]
  return humanDuration(parts.filter(([, v], i) => i === 0 || v > 0), language)
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
 * them) · state · last seen (offline machines) · live CPU/memory/GPU · release or expiry countdown · stop
 * timer · price.
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
  if (i.stopAt) parts.push(t('gpuvalid.stopsIn', { left: formatDuration(Math.max(0, Date.parse(i.stopAt) - now.getTime()), language) }))
  if (i.pricePerHour !== null) parts.push(t('gpuvalid.price', { price: i.pricePerHour.toFixed(2) }))
  const mark = !counted ? '•' : hasIdleGpus(i) ? '🟢' : '⚪'
  return `${mark} ${parts.join(' · ')}`
}

/**
 * The `/gpuvalid` answer for a (viewer-filtered) snapshot, line by line: each line is formatted when it
 * is asked for, so the first message can go out before the last line is written.
 */
export function * gpuvalidLines (view: Snapshot, now: Date, language: Language, t: Translate): Generator<string> {
  if (view.instances.length === 0) {
    yield t('gpuvalid.empty')
    return
  }
  const byProvider = new Map<string, Instance[]>()
  for (const i of view.instances) {
    let list = byProvider.get(i.provider)
    if (!list) byProvider.set(i.provider, list = [])
    list.push(i)
  }
  const grouped = view.providers.length > 1
  for (const provider of view.providers) {
    const instances = byProvider.get(provider.id) ?? []
    if (instances.length === 0) continue
    if (grouped) yield t('gpuvalid.header', { provider: provider.id })
    for (const i of instances) yield instanceLine(i, now, language, t)
    if (instances.some(i => i.stale)) yield t('gpuvalid.stale', { provider: provider.id })
  }
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
  if (!p.account) return head
  const { balanceYuan, ...others } = p.account
  const lines = [head]
  if (typeof balanceYuan === 'number') lines.push(t('status.balance', { balance: formatYuan(balanceYuan) }))
  if (Object.keys(others).length > 0) lines.push(t('status.account', { details: formatAccount(others) }))
  return lines.join('\n')
}

/** One line per market host: `• 063机 西北B区 · 2 · ¥2.72` (idle GPUs, price per GPU-hour). */
export function marketHostLines (hosts: ReadonlyArray<Pick<MarketHost, 'name' | 'region' | 'idle' | 'pricePerGpuHour'>>): string {
  return hosts.map(h => `• ${h.name}${h.region ? ` ${h.region}` : ''} · ${h.idle} · ${h.pricePerGpuHour === null ? '?' : formatYuan(h.pricePerGpuHour)}`).join('\n')
}

/** `¥1,234.50`: yuan with two decimals. */
export function formatYuan (yuan: number): string {
  return `¥${yuan.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

/** `money 5269 · used cpu 100, servers 2 · quota cpu 100, servers 3`. */
export function formatAccount (account: NonNullable<ProviderStatus['account']>): string {
  return Object.entries(account).map(([key, value]) => value !== null && typeof value === 'object'
    ? `${key} ${Object.entries(value).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`
    : `${key} ${String(value)}`).join(' · ')
}

/**
 * Split lines into messages under {@link MESSAGE_LIMIT} characters, each given out as soon as it is
 * full: with a lazy `lines`, the first message is ready before the later lines are formatted.
 */
export function * chunk (lines: Iterable<string>, limit = MESSAGE_LIMIT): Generator<string> {
  let current = ''
  for (const line of lines) {
    const piece = line.length > limit ? `${line.slice(0, limit - 1)}…` : line
    if (current && current.length + 1 + piece.length > limit) {
      yield current
      current = ''
    }
    current = current ? `${current}\n${piece}` : piece
  }
  if (current) yield current
}

/** `北京A区 / 641机`. */
export function instanceLabel (i: Pick<Instance, 'region' | 'name'>): string {
  return `${i.region ? `${i.region} / ` : ''}${i.name}`
}

/** `2026-12-06 13:42` in `zone` (an IANA name; null or absent: the system's local zone). */
export function formatTime (iso: string, zone?: string | null): string {
  return DateTime.fromISO(iso).setZone(zone ?? 'local').toFormat('yyyy-MM-dd HH:mm')
}
