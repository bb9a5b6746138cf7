import type { Test } from 'tap'
import { runDemo } from '../../src/demo/index.js'

const KEY = 'demo-read-key-for-the-metrics-tests'

/** `/metrics` of the demo (every provider type, every instance kind), and the metric names it exports. */
export async function demoMetrics (t: Test): Promise<{ text: string; families: Set<string>; samples: Set<string> }> {
  const demo = await runDemo({ port: 0, readKey: KEY, pollIntervalSeconds: 3600 })
  t.teardown(() => demo.stop())
  const res = await fetch(`${demo.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`)
  const text = await res.text()
  const families = new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map(m => m[1]!))
  const samples = new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map(m => m[1]!))
  return { text, families, samples }
}

/** Metric names a PromQL expression reads: the host's (`computewatch_*`) and the process's (`process_*`, `nodejs_*`). */
export function metricNamesIn (expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(?:computewatch|process|nodejs)_[a-z0-9_]+/g)].map(m => m[0]))]
}
