import t from 'tap'
import { addSample, BUCKET_SECONDS, bestHours, buckets, emptySeries, KEPT_SECONDS, RECENT_SECONDS, summarize } from '../../src/money/availability.js'

const HOUR = 3600
const T0 = Date.parse('2026-11-02T00:00:00Z') / 1000 // a Monday, 00:00 UTC

t.test('changes are kept at poll resolution; the same figures again only confirm; silence is a gap', async t => {
  const s = emptySeries(1)
  t.equal(addSample(s, T0, 0, 8, 1, 600), true, 'the first point is worth storing')
  t.equal(addSample(s, T0 + 60, 0, 8, 1, 600), false, 'the same again only moves seenAt')
  t.equal(addSample(s, T0 + 120, 2, 8, 1, 600), true)
  t.same(s.points, [[T0, 0, 8], [T0 + 120, 2, 8]])
  t.equal(s.seenAt, T0 + 120)
  addSample(s, T0 + 120 + 3600, 2, 8, 1, 600)
  t.same(s.points.slice(-2), [[T0 + 120, -1, 0], [T0 + 3720, 2, 8]], 'an hour without samples: not observed')
  addSample(s, T0 + 100, 5, 8, 1, 600)
  t.equal(s.points.length, 4, 'a sample from before the last one (the clock went back) is ignored')
})

t.test('after 48 hours the points become 10-minute averages, run-length; after 30 days they go', async t => {
  const s = emptySeries(1)
  // Every 10 minutes for 3 days: 1 idle GPU from 02:00 to 07:00 UTC, none otherwise.
  for (let at = T0; at <= T0 + 3 * 86400; at += BUCKET_SECONDS) addSample(s, at, new Date(at * 1000).getUTCHours() >= 2 && new Date(at * 1000).getUTCHours() < 7 ? 1 : 0, 8, 1, 1200)
  const now = T0 + 3 * 86400
  t.ok(s.points[0]![0] >= now - RECENT_SECONDS - BUCKET_SECONDS, 'only the last 48 h as points')
  t.ok(s.tens.length > 0 && s.tens.length <= 4, `a day of averages in a few runs (${s.tens.length})`)
  t.same(s.tens[0], [T0, 12, 0, 0], '00:00–02:00: 12 buckets of nothing idle, one run')
  t.same(s.tens[1], [T0 + 2 * HOUR, 30, 1, 1], '02:00–07:00: 30 buckets, 1 idle, all the time enough')
  const all = buckets(s, now, 1200)
  t.equal(all.length, 3 * 24 * 6, 'three days of buckets, old and recent alike')
  const summary = summarize(all, 'UTC')
  t.equal(summary.available, 0.21, '5 hours of 24')
  t.same(summary.bestHours, { from: 2, to: 7 })
  t.equal(summary.byHour[3], 1)
  t.equal(summary.byHour[12], 0)
  t.equal(summary.week[0]![3], 1, 'Monday 03:00')
  t.equal(summary.week[6]![3], null, 'Sunday: never observed')
  const shanghai = summarize(all, 'Asia/Shanghai')
  t.same(shanghai.bestHours, { from: 10, to: 15 }, 'hours in the host\'s zone')

  addSample(s, T0 + KEPT_SECONDS + 86400 + 3 * HOUR, 1, 8, 1, 1200)
  t.ok(s.tens.every(([start, count]) => start + count * BUCKET_SECONDS > T0 + 86400 + 3 * HOUR), 'older than 30 days: gone')
  t.ok(JSON.stringify(s).length < 2000, 'a host that rarely changes costs little')
})

t.test('best hours: a run around the best hour, past midnight too; none when never available', async t => {
  const byHour = Array.from({ length: 24 }, (_, h) => (h >= 22 || h < 3 ? 0.9 : 0.1))
  t.same(bestHours(byHour), { from: 22, to: 3 })
  t.same(bestHours(Array.from({ length: 24 }, () => 0.5)), { from: 0, to: 24 })
  t.equal(bestHours(Array.from({ length: 24 }, () => 0)), null)
  t.equal(bestHours(Array.from({ length: 24 }, () => null)), null)
})
