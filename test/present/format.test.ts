import t from 'tap'
import { Duration } from 'luxon'
import type { Instance } from '../../src/core/instance.js'
import { chunk, formatDuration, gpuvalidLines } from '../../src/present/format.js'
import { createTranslator } from '../../src/present/i18n.js'

t.test('durations read as luxon\'s toHuman wrote them', async t => {
  const luxon = (ms: number, language: 'zh' | 'en'): string => {
    const unitDisplay = language === 'zh' ? 'short' : 'narrow'
    if (ms < 60_000) return Duration.fromObject({ seconds: Math.max(0, Math.round(ms / 1000)) }).reconfigure({ locale: language }).toHuman({ unitDisplay })
    const minutes = Math.floor(ms / 60_000)
    const d = Math.floor(minutes / 1440)
    const h = Math.floor((minutes % 1440) / 60)
    const m = minutes % 60
    const parts = d > 0 ? { days: d, hours: h } : h > 0 ? { hours: h, minutes: m } : { minutes: m }
    return Duration.fromObject(Object.fromEntries(Object.entries(parts).filter(([, v], i) => i === 0 || v > 0))).reconfigure({ locale: language }).toHuman({ unitDisplay })
  }
  for (const ms of [0, 999, 45_000, 60_000, 61_000, 3600_000, 3660_000, 86400_000, 86400_000 + 3600_000 * 5, 13 * 86400_000 + 4 * 3600_000 + 59_000, 400 * 86400_000]) {
    for (const language of ['zh', 'en'] as const) t.equal(formatDuration(ms, language), luxon(ms, language), `${ms} ms, ${language}`)
  }
})

t.test('/gpuvalid lines are formatted lazily: the first message is ready before the later lines are written', async t => {
  const en = await createTranslator('en')
  let calls = 0
  const counting = ((...args: Parameters<typeof en>) => { calls++; return en(...args) }) as typeof en
  const instances: Instance[] = Array.from({ length: 1000 }, (_, n) => ({
    provider: 'lab', providerType: 'autodl', id: `i${n}`, name: `box-${n}`, region: '北京A区', state: 'stopped', providerState: 'shutdown',
    gpu: { model: 'RTX 4090', requested: 1, hostTotal: 8, hostIdle: n % 3 }, stoppedAt: null, releaseAt: new Date(Date.now() + 86400_000 * 3).toISOString(),
    pricePerHour: 1.88, lastSeenAt: null, expiresAt: null, url: null, metrics: null, stale: false
  }))
  const providers = [{
    id: 'lab', type: 'autodl', ok: true, lastSuccessAt: null, lastErrorAt: null, durationMs: 1, instanceCount: 1000, error: null,
    capabilities: { powerOn: true, powerOff: true, noGpuMode: true, releaseAfterStopSeconds: 1296000 }, account: null, warnings: 0
  }]
  const messages = chunk(gpuvalidLines({ generatedAt: new Date().toISOString(), instances, providers }, new Date(), 'en', counting))
  const first = messages.next()
  t.notOk(first.done)
  const linesInFirst = (first.value as string).split('\n').length
  t.ok(linesInFirst > 10 && linesInFirst < 1000, `the first message holds ${linesInFirst} lines`)
  t.ok(calls < 1000, `only the lines of the first message (and one more) were formatted: ${calls} translations for 1000 instances`)
  const rest = [...messages]
  t.equal([first.value, ...rest].join('\n').split('\n').length, 1000, 'every instance is in some message')
  t.ok(calls >= 3000, 'and all of them were formatted in the end')
})
