/**
 * ISO 8601 date-times that keep their UTC offset, with plain `Date` arithmetic: providers map thousands
 * of timestamps per poll, and a fixed offset needs no time-zone library (luxon stays for display).
 */

/** A point in time and the UTC offset it was written in. */
export interface OffsetTime {
  /** Milliseconds since the epoch. */
  epochMs: number
  /** The offset it was written with, minutes east of UTC (`+08:00` → 480). */
  offsetMinutes: number
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/

/**
 * Parse `2024-11-12T16:54:09+08:00` (seconds, fraction and offset forms as RFC 3339 and Go's
 * `time.RFC3339Nano` write them; the fraction is truncated to milliseconds). Null for anything else,
 * including impossible dates such as February 30.
 */
export function parseOffsetTime (text: string): OffsetTime | null {
  const m = ISO.exec(text)
  if (!m) return null
  const [, y, mo, d, h, mi, s, fraction, zone] = m as unknown as [string, string, string, string, string, string, string | undefined, string | undefined, string]
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s ?? 0)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'))
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms)
  const check = new Date(local)
  // Date.UTC maps years 0-99 to 1900-1999; set the year explicitly.
  check.setUTCFullYear(year)
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null
  let offsetMinutes = 0
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2))
    const om = Number(digits.slice(2) || 0)
    if (oh > 23 || om > 59) return null
    offsetMinutes = sign * (oh * 60 + om)
  }
  return { epochMs: check.getTime() - offsetMinutes * 60_000, offsetMinutes }
}

/**
 * Write `time` in its own offset, seconds precision unless it has milliseconds:
 * `2024-11-27T16:54:09+08:00`; offset 0 is written `Z`.
 */
export function formatOffsetTime (time: OffsetTime): string {
  const local = new Date(time.epochMs + time.offsetMinutes * 60_000).toISOString() // 2024-11-27T16:54:09.000Z
  const stamp = local.endsWith('.000Z') ? local.slice(0, -5) : local.slice(0, -1)
  if (time.offsetMinutes === 0) return `${stamp}Z`
  const abs = Math.abs(time.offsetMinutes)
  return `${stamp}${time.offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** `time` moved by `ms` milliseconds, in the same offset. */
export function shiftOffsetTime (time: OffsetTime, ms: number): OffsetTime {
  return { epochMs: time.epochMs + ms, offsetMinutes: time.offsetMinutes }
}
