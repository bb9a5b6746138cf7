import type { Language } from './i18n.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const units = new Map<string, Intl.NumberFormat>()

function unit (language: Language, name: 'day' | 'hour' | 'minute' | 'second', value: number): string {
  const key = `${language} ${name}`
  let format = units.get(key)
  if (!format) units.set(key, format = new Intl.NumberFormat(language === 'zh' ? 'zh-CN' : 'en', { style: 'unit', unit: name, unitDisplay: 'narrow' }))
  return format.format(value)
}

/** A span of time as its two largest units: `3d 4h`, `25m`, `40s` (zh: `3天4小时`). Negative spans read as their size. */
export function duration (ms: number, language: Language): string {
  const abs = Math.abs(ms)
  const sep = language === 'zh' ? '' : ' '
  if (abs >= DAY) return [unit(language, 'day', Math.floor(abs / DAY)), unit(language, 'hour', Math.floor((abs % DAY) / HOUR))].join(sep)
  if (abs >= HOUR) return [unit(language, 'hour', Math.floor(abs / HOUR)), unit(language, 'minute', Math.floor((abs % HOUR) / MINUTE))].join(sep)
  if (abs >= MINUTE) return unit(language, 'minute', Math.floor(abs / MINUTE))
  return unit(language, 'second', Math.floor(abs / 1000))
}

const dates = new Map<Language, Intl.DateTimeFormat>()

/** A date-time in the viewer's own time zone, e.g. `Nov 21, 14:05` / `11月21日 14:05`. */
export function dateTime (iso: string, language: Language): string {
  let format = dates.get(language)
  if (!format) dates.set(language, format = new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }))
  return format.format(new Date(iso))
}

/** `12.5 GiB` — bytes in binary units. */
export function bytes (n: number): string {
  const names = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < names.length - 1) { n /= 1024; i++ }
  return `${n >= 10 || i === 0 ? Math.round(n) : n.toFixed(1)} ${names[i]}`
}

export const HOUR_MS = HOUR
