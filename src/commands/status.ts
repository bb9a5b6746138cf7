import type { Writable } from 'node:stream'
import type { Snapshot } from '../core/snapshot.js'
import { formatDuration, instanceLabel } from '../present/format.js'

/** What `GET /api/v1/instances` answers (the `InstanceList` schema): a snapshot of the view. */
type InstanceList = Snapshot

export interface StatusOptions {
  /** Base URL of a running host, e.g. `http://127.0.0.1:8080`. */
  url: string
  /** An API key with the `read` scope; null when the host has no keys. */
  key: string | null
  json: boolean
  output: Writable
  errors: Writable
  /** Budget of the request, milliseconds (default 10 000). */
  timeoutMs?: number
  now?: Date
}

/**
 * `computewatch status`: read the view from a running host's API and print it — per provider entry,
 * then its instances (state, host GPUs idle/total, release) — or the API's JSON as is.
 * @returns the exit code: 0 when every provider entry is ok, 1 when one is failing or the host could
 *   not be read (the reason goes to `errors`).
 */
export async function runStatus (options: StatusOptions): Promise<number> {
  let list: InstanceList
  try {
    list = await fetchView(options)
  } catch (err) {
    options.errors.write(`computewatch status: ${(err as Error).message}\n`)
    return 1
  }
  if (options.json) options.output.write(`${JSON.stringify(list, null, 2)}\n`)
  else options.output.write(await renderTables(list, options.now ?? new Date()))
  return list.providers.every(p => p.ok) ? 0 : 1
}

async function fetchView ({ url, key, timeoutMs = 10_000 }: StatusOptions): Promise<InstanceList> {
  const target = new URL('/api/v1/instances', url)
  let res: Response
  try {
    res = await fetch(target, { headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause
    throw new Error(`cannot reach ${target.origin} (${cause?.code ?? cause?.message ?? (err as Error).message}): is the host running? Pass --url, or set COMPUTEWATCH_URL`)
  }
  const body = await res.text()
  if (res.status === 401) throw new Error(`${target.origin} wants an API key with the "read" scope: pass --key, or set COMPUTEWATCH_KEY (${messageOf(body)})`)
  if (res.status !== 200) throw new Error(`${target.origin}${target.pathname} answered ${res.status}: ${messageOf(body)}`)
  try {
    const parsed = JSON.parse(body) as InstanceList
    if (!Array.isArray(parsed.instances) || !Array.isArray(parsed.providers)) throw new Error('not an instance list')
    return parsed
  } catch {
    throw new Error(`${target.origin}${target.pathname} did not answer a computewatch instance list: is it a computewatch host?`)
  }
}

function messageOf (body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 200)
  } catch {
    return body.slice(0, 200)
  }
}

/** The providers table, then the instances table (cli-table3 measures CJK text by its display width). */
async function renderTables (list: InstanceList, now: Date): Promise<string> {
  const { default: Table } = await import('cli-table3')
  const style = { head: [], border: [] }
  const chars = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }
  const providers = new Table({ head: ['provider', 'type', 'status', 'instances', 'last success', 'error'], style, chars })
  for (const p of list.providers) {
    providers.push([p.id, p.type, p.ok ? 'ok' : 'FAILING', String(p.instanceCount), p.lastSuccessAt ? `${ago(p.lastSuccessAt, now)} ago` : 'never', p.error?.message ?? ''])
  }
  const instances = new Table({ head: ['provider', 'instance', 'state', 'GPU', 'host GPUs idle', 'release in', 'price/h'], style, chars })
  for (const i of list.instances) {
    const gpu = i.gpu?.model ? `${i.gpu.model}${i.gpu.requested ? ` × ${i.gpu.requested}` : ''}` : ''
    const idle = i.gpu?.hostIdle != null ? `${i.gpu.hostIdle}/${i.gpu.hostTotal ?? '?'}` : ''
    const release = i.releaseAt ? until(i.releaseAt, now) : ''
    instances.push([i.provider, instanceLabel(i), `${i.state}${i.stale ? ' (stale)' : ''}`, gpu, idle, release, i.pricePerHour === null ? '' : `¥${i.pricePerHour}`])
  }
  const failing = list.providers.filter(p => !p.ok).length
  const summary = `${list.providers.length} provider entries (${failing === 0 ? 'all ok' : `${failing} failing`}), ${list.instances.length} instances, view of ${list.generatedAt}`
  return `${providers.toString()}\n${instances.toString()}\n${summary}\n`
}

const ago = (iso: string, now: Date): string => formatDuration(Math.max(0, now.getTime() - Date.parse(iso)), 'en')
const until = (iso: string, now: Date): string => {
  const ms = Date.parse(iso) - now.getTime()
  return ms <= 0 ? 'due' : formatDuration(ms, 'en')
}
