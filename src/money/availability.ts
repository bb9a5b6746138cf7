import { DateTime } from 'luxon'

/** Seconds of the recent part, kept at poll resolution. */
export const RECENT_SECONDS = 48 * 3600
/** Seconds kept in all, as 10-minute averages beyond the recent part. */
export const KEPT_SECONDS = 30 * 86400
/** The averages' width, seconds. */
export const BUCKET_SECONDS = 600

/**
 * The availability of GPUs on one host (an instance's, or a watched market's), compact and bounded:
 * - `points`: what changed, at poll resolution, for the last {@link RECENT_SECONDS}: `[epoch s, idle, total]`
 *   from that time on; `idle` -1 starts a time nothing was observed (the entry failed, the host was down);
 * - `tens`: older times as 10-minute averages, for {@link KEPT_SECONDS}, run-length: `[start epoch s,
 *   buckets, mean idle, fraction of the observed time with at least `need` idle]`;
 * - `need`: GPUs that count as "enough" (the instance's `requested`, a market watch's `minIdle`).
 * A host whose numbers rarely change costs a few numbers a day, whatever the poll interval.
 */
export interface Series {
  need: number
  points: Array<[number, number, number]>
  /** When the latest point was last confirmed by a sample, epoch seconds. */
  seenAt: number
  tens: Array<[number, number, number, number]>
}

/** One 10-minute average (or a part of one): when, mean idle GPUs, fraction of time with enough. */
export interface Bucket {
  /** Epoch seconds, a multiple of {@link BUCKET_SECONDS}. */
  start: number
  idle: number
  available: number
  /** Seconds observed in it. */
  observed: number
}

export function emptySeries (need: number): Series {
  return { need, points: [], seenAt: 0, tens: [] }
}

/**
 * Add a sample at `at` (epoch seconds). Silence longer than `maxGapSeconds` since the last sample is
 * recorded as a gap from the last sample on. Then fold what left the recent part into averages.
 * @returns true when more than `seenAt` changed (a point, an average, `need`): what is worth storing.
 */
export function addSample (series: Series, at: number, idle: number, total: number, need: number, maxGapSeconds: number): boolean {
  const last = series.points.at(-1)
  if (last && at < series.seenAt) return false // out of order: the clock went back
  let changed = series.need !== need
  series.need = need
  if (last && last[1] >= 0 && at - series.seenAt > maxGapSeconds) series.points.push([series.seenAt, -1, 0])
  const current = series.points.at(-1)
  if (!current || current[1] !== idle || current[2] !== total) series.points.push([at, idle, total])
  changed ||= series.points.at(-1) !== last
  series.seenAt = at
  return fold(series, at) || changed
}

/**
 * The 10-minute buckets of the whole series, oldest first, each with what was observed in it (the
 * recent part computed from its points; nothing after `seenAt` + `maxGapSeconds` counts).
 */
export function buckets (series: Series, now: number, maxGapSeconds: number): Bucket[] {
  const out: Bucket[] = []
  for (const [start, count, idle, available] of series.tens) {
    for (let i = 0; i < count; i++) out.push({ start: start + i * BUCKET_SECONDS, idle, available, observed: BUCKET_SECONDS })
  }
  const until = Math.min(now, series.seenAt + maxGapSeconds)
  out.push(...average(series.points, series.need, series.points[0]?.[0] ?? until, until))
  return out
}

/** Time-weighted 10-minute averages of `points` over [from, until). */
function average (points: ReadonlyArray<[number, number, number]>, need: number, from: number, until: number): Bucket[] {
  const out = new Map<number, { idle: number; enough: number; observed: number }>()
  for (let i = 0; i < points.length; i++) {
    const [t, idle] = points[i]!
    const end = Math.min(points[i + 1]?.[0] ?? until, until)
    if (idle < 0) continue
    for (let s = Math.max(t, from); s < end;) {
      const start = s - (s % BUCKET_SECONDS)
      const stop = Math.min(end, start + BUCKET_SECONDS)
      const b = out.get(start) ?? { idle: 0, enough: 0, observed: 0 }
      b.idle += idle * (stop - s)
      b.enough += idle >= need ? stop - s : 0
      b.observed += stop - s
      out.set(start, b)
      s = stop
    }
  }
  return [...out].sort(([a], [b]) => a - b).map(([start, b]) => ({ start, idle: round(b.idle / b.observed), available: round(b.enough / b.observed), observed: b.observed }))
}

/** Move whole buckets older than the recent part into `tens`; drop what is older than {@link KEPT_SECONDS}. */
function fold (series: Series, now: number): boolean {
  let changed = false
  const boundary = Math.floor((now - RECENT_SECONDS) / BUCKET_SECONDS) * BUCKET_SECONDS
  const first = series.points[0]
  if (first && first[0] < boundary) {
    changed = true
    for (const b of average(series.points, series.need, first[0] - (first[0] % BUCKET_SECONDS), boundary)) pushTen(series, b)
    // The state at the boundary carries on into the recent part.
    let carried: [number, number, number] | undefined
    while (series.points.length > 0 && series.points[0]![0] <= boundary) carried = series.points.shift()
    if (carried && (series.points.length === 0 || series.points[0]![0] > boundary)) series.points.unshift([boundary, carried[1], carried[2]])
  }
  const oldest = now - KEPT_SECONDS
  while (series.tens.length > 0) {
    const run = series.tens[0]!
    const end = run[0] + run[1] * BUCKET_SECONDS
    if (end <= oldest) { series.tens.shift(); changed = true; continue }
    if (run[0] < oldest) {
      const drop = Math.ceil((oldest - run[0]) / BUCKET_SECONDS)
      run[0] += drop * BUCKET_SECONDS
      run[1] -= drop
      changed = true
    }
    break
  }
  return changed
}

/** Append a bucket, merging it into the last run when it continues it with the same figures. */
function pushTen (series: Series, b: Bucket): void {
  const last = series.tens.at(-1)
  if (last && last[0] + last[1] * BUCKET_SECONDS === b.start && last[2] === b.idle && last[3] === b.available) last[1]++
  else series.tens.push([b.start, 1, b.idle, b.available])
}

const round = (x: number): number => Math.round(x * 100) / 100

/** What `/history` says and the API and the page show: over the kept time, and per weekday and hour. */
export interface AvailabilitySummary {
  /** Seconds observed over the kept 30 days. */
  observedSeconds: number
  /** Fraction of the observed time with at least `need` idle GPUs; null when nothing was observed. */
  available: number | null
  /** Per hour of the day (0–23, in the zone): the fraction, null where never observed. */
  byHour: Array<number | null>
  /** Per weekday (0 Monday … 6 Sunday) and hour: the fraction, null where never observed. */
  week: Array<Array<number | null>>
  /**
   * The best run of hours: `from` 0–23, `to` the hour it ends (exclusive, 1–24; smaller than `from` when
   * the run goes past midnight); null when no hour ever had enough idle GPUs.
   */
  bestHours: { from: number; to: number } | null
}

/** Summarize buckets in `zone` (null: the system's). */
export function summarize (list: readonly Bucket[], zone: string | null): AvailabilitySummary {
  const hour = Array.from({ length: 24 }, () => ({ enough: 0, observed: 0 }))
  const week = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ enough: 0, observed: 0 })))
  let enough = 0
  let observed = 0
  // The zone's offset, looked up once per hour (luxon), not per bucket; right for half-hour zones too.
  const offset = { hourStart: -1, seconds: 0 }
  for (const b of list) {
    const hourStart = b.start - (b.start % 3600)
    if (offset.hourStart !== hourStart) Object.assign(offset, { hourStart, seconds: DateTime.fromSeconds(hourStart, zone ? { zone } : {}).offset * 60 })
    const local = b.start + offset.seconds
    const h = Math.floor(local / 3600) % 24
    // 1970-01-01 was a Thursday: Monday is 0.
    const weekday = (Math.floor(local / 86400) + 3) % 7
    const e = b.available * b.observed
    enough += e
    observed += b.observed
    hour[h]!.enough += e
    hour[h]!.observed += b.observed
    week[weekday]![h]!.enough += e
    week[weekday]![h]!.observed += b.observed
  }
  const fraction = (x: { enough: number; observed: number }): number | null => (x.observed > 0 ? round(x.enough / x.observed) : null)
  const byHour = hour.map(fraction)
  return { observedSeconds: observed, available: observed > 0 ? round(enough / observed) : null, byHour, week: week.map(day => day.map(fraction)), bestHours: bestHours(byHour) }
}

/**
 * The longest run of hours (wrapping past midnight) whose fraction is within 0.1 of the best hour's,
 * around the best hour; null when no hour ever had enough idle GPUs. A run of all 24 hours is 0–24.
 */
export function bestHours (byHour: ReadonlyArray<number | null>): { from: number; to: number } | null {
  const best = Math.max(...byHour.map(f => f ?? -1))
  if (best <= 0) return null
  const good = byHour.map(f => f !== null && f >= best - 0.1)
  if (good.every(Boolean)) return { from: 0, to: 24 }
  let run: { from: number; length: number } | null = null
  for (let start = 0; start < 24; start++) {
    if (!good[start] || good[(start + 23) % 24]) continue // a run starts after a bad hour
    let length = 0
    while (length < 24 && good[(start + length) % 24]) length++
    const hasBest = Array.from({ length }, (_, i) => byHour[(start + i) % 24]).includes(best)
    if (hasBest && (run === null || length > run.length)) run = { from: start, length }
  }
  return run === null ? null : { from: run.from, to: ((run.from + run.length - 1) % 24) + 1 }
}
