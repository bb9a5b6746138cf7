import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { Test } from 'tap'

export interface Delivery {
  headers: IncomingHttpHeaders
  body: string
  json: Record<string, any>
  /** What the receiver answered. */
  status: number
}

/** A local webhook receiver: records every delivery; answers 500 to the first `failFirst` of them. */
export async function startWebhookReceiver (t: Test, options: { failFirst?: number } = {}): Promise<{ url: string; deliveries: Delivery[]; failNext (n: number): void }> {
  const deliveries: Delivery[] = []
  let failures = options.failFirst ?? 0
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', chunk => { body += chunk })
    req.on('end', () => {
      const status = failures > 0 ? 500 : 204
      if (failures > 0) failures--
      deliveries.push({ headers: req.headers, body, json: JSON.parse(body || '{}'), status })
      res.writeHead(status).end()
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => { server.closeAllConnections(); server.close(resolve) }))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/cw`, deliveries, failNext: (n) => { failures = n } }
}
