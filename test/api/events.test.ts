import { errorSchema } from '../../src/api/schemas.js'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { eventRoutes } from '../../src/api/routes/events.js'
import { buildApi } from '../../src/api/index.js'
import { Aggregator } from '../../src/core/aggregator.js'
import { FakeProvider, fakeInstance } from '../helpers/fake-provider.js'
import { captureLog } from '../helpers/log.js'

const KEY = 'reader-key-0123456789abcdef'

/** A host API listening on a free port, over one fake provider entry. */
async function setup (t: Test) {
  const captured = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 30_000, log: captured.log, secrets: captured.secrets })
  const provider = new FakeProvider()
  provider.next = { instances: [fakeInstance('i-1')] }
  await aggregator.add({ id: 'lab', type: 'autodl', provider, log: captured.log })
  await aggregator.refresh()
  const app = await buildApi({ aggregator, apiKeys: [{ name: 'reader', key: KEY, scopes: ['read'] }], log: captured.log, version: 't' })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  let closed = false
  const close = async (): Promise<void> => { if (!closed) { closed = true; await app.close() } }
  t.teardown(close)
  return { aggregator, provider, url, close }
}

/** Read SSE blocks from a fetch response until `count` `snapshot` events arrived (or the stream ended). */
async function events (response: Response, count: number): Promise<{ events: Array<{ generatedAt: string }>; ended: boolean; reader: ReadableStreamDefaultReader<string> }> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  const out: Array<{ generatedAt: string }> = []
  let buffer = ''
  while (out.length < count) {
    const { value, done } = await reader.read()
    if (done) return { events: out, ended: true, reader }
    buffer += value
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const data = /^data: (.*)$/m.exec(block)?.[1]
      if (/^event: snapshot$/m.test(block) && data) out.push(JSON.parse(data) as { generatedAt: string })
    }
  }
  return { events: out, ended: false, reader }
}

t.test('a new snapshot reaches an open stream; the stream ends when the host stops', async t => {
  const { aggregator, provider, url, close } = await setup(t)
  t.equal((await fetch(`${url}/api/v1/events`)).status, 401, 'the same key as every read')
  const response = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${KEY}` } })
  t.equal(response.status, 200)
  t.match(response.headers.get('content-type'), 'text/event-stream')
  t.equal(response.headers.get('cache-control'), 'no-cache, no-transform')
  const first = await events(response, 1)
  t.equal(first.events[0]!.generatedAt, aggregator.snapshot.generatedAt, 'the current snapshot at once')

  provider.next = { instances: [fakeInstance('i-1'), fakeInstance('i-2')] }
  await aggregator.refresh()
  const reader = first.reader
  let seen: string | null = null
  let buffer = ''
  while (seen === null) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += value
    seen = /event: snapshot\ndata: (.*)\n\n/.exec(buffer)?.[1] ?? null
  }
  t.ok(seen, 'an event after the poll')
  t.equal((JSON.parse(seen!) as { generatedAt: string }).generatedAt, aggregator.snapshot.generatedAt)

  await close() // would hang here if the stream kept the server open
  const rest = await reader.read().then(async function drain (r): Promise<boolean> { return r.done ? true : await reader.read().then(drain) })
  t.ok(rest, 'the stream ended cleanly')
})

t.test('a burst of polls is one event a second, not one per poll', async t => {
  const { aggregator, url } = await setup(t)
  const response = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${KEY}` } })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  const reading = (async () => { for (;;) { const r = await reader.read(); if (r.done) return; text += r.value } })()
  for (let i = 0; i < 20; i++) await aggregator.refresh()
  await new Promise(resolve => setTimeout(resolve, 1300))
  const count = text.split('event: snapshot').length - 1
  t.ok(count >= 2 && count <= 3, `the first event, then at most two for 20 polls (saw ${count})`)
  await reader.cancel()
  await reading
})

t.test('streams beyond the limit answer 503 with what to do; a closed stream frees its place', async t => {
  const captured = captureLog()
  const aggregator = new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 30_000, log: captured.log, secrets: captured.secrets })
  const app = Fastify()
  app.addSchema(errorSchema)
  await app.register(eventRoutes, { aggregator, maxStreams: 1 })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const one = new AbortController()
  const first = await fetch(`${url}/api/v1/events`, { signal: one.signal })
  t.equal(first.status, 200)
  const second = await fetch(`${url}/api/v1/events`)
  t.equal(second.status, 503)
  t.match((await second.json() as { message: string }).message, '1 event streams are open already')
  one.abort()
  await new Promise(resolve => setTimeout(resolve, 100))
  const third = new AbortController()
  const again = await fetch(`${url}/api/v1/events`, { signal: third.signal })
  t.equal(again.status, 200, 'the place is free again')
  third.abort()
})
