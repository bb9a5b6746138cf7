/**
 * Child process of `npm run bench`: bare Fastify (no logger, no hooks, no schemas) answering `path`
 * with the bytes of `file` and the given content type — the ceiling the host's API is compared with.
 * Prints one JSON line `{ "url": … }` when it listens.
 */
import { readFile } from 'node:fs/promises'
import Fastify from 'fastify'

const [path, file, contentType] = process.argv.slice(2) as [string, string, string]
const body = await readFile(file)
const app = Fastify()
app.get(path.split('?')[0]!, async (_request, reply) => await reply.type(contentType).send(body))
await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` })}\n`)
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
