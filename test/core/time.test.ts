import t from 'tap'
import { DateTime } from 'luxon'
import { formatOffsetTime, parseOffsetTime, shiftOffsetTime } from '../../src/core/time.js'

t.test('parse and write back keep the offset, like luxon with setZone', async t => {
  const cases = [
    '2024-11-12T16:54:09+08:00', '2024-11-12T16:54:09Z', '2024-11-12T16:54:09.123+08:00', '2024-11-12T16:54:09.123456789+08:00',
    '2024-02-29T23:59:59-05:30', '1999-12-31T00:00:00+14:00', '2024-11-12T16:54:09+0800', '2024-11-12T16:54+08:00'
  ]
  for (const text of cases) {
    const mine = parseOffsetTime(text)
    const theirs = DateTime.fromISO(text, { setZone: true })
    t.ok(mine, text)
    t.equal(mine!.epochMs, theirs.toMillis(), `${text}: the same instant`)
    t.equal(formatOffsetTime(mine!), theirs.toISO({ suppressMilliseconds: true }), `${text}: written the same`)
    t.equal(formatOffsetTime(shiftOffsetTime(mine!, 15 * 86400_000)), theirs.plus({ days: 15 }).toISO({ suppressMilliseconds: true }), `${text}: + 15 days`)
  }
})

t.test('anything that is not a date-time is null', async t => {
  for (const text of ['', 'yesterday', '2024-02-30T10:00:00Z', '2023-02-29T10:00:00Z', '2024-13-01T00:00:00Z', '2024-11-12T24:00:00Z',
    '2024-11-12T16:54:09', '2024-11-12T16:54:09+25:00', '2024-11-12', '2024-11-12T16:54:60Z']) {
    t.equal(parseOffsetTime(text), null, JSON.stringify(text))
  }
})
