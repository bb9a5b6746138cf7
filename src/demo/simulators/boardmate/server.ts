import { createSimKit, type Fault, type SeenRequest } from '../kit.js'

export interface BoardmateUser {
  money: number
  now: { cpu: number; disk: number; memory: number; servers: number }
  resource: { cpu: number; disk: number; memory: number; servers: number }
  server: Record<string, { cpu: number; description: string; disk: number; id: string; io: number; memory: number; name: string; oom_disabled: boolean; swap: number; threads: null; url: string }>
}

export interface BoardmateSimulator {
  url: string
  stats: { requests: Record<string, number> }
  requests: SeenRequest[]
  /** Form fields of each call, as BoardMate read them. */
  forms: Array<Record<string, string> | undefined>
  /** The site's api.json log: one entry per API call. */
  log: Array<{ time: string; message: string }>
  inject (route: string, fault: Fault, times?: number): void
  close (): Promise<void>
}

/**
 * A local BoardMate API (HansHans135/boardmate `views/api.py`, seed 002): `GET|POST
 * /api/user/<dc_user_id>` reads the key from the FORM field `key` on every method; without a form body
 * → 400 `{"code":400,"message":"資料有誤"}`, wrong key → 403, unknown user → 404. Every call is logged.
 */
export async function startBoardmateSimulator (options: { apiKey: string; users: Record<string, BoardmateUser> }): Promise<BoardmateSimulator> {
  const kit = createSimKit()
  const log: BoardmateSimulator['log'] = []
  const forms: BoardmateSimulator['forms'] = []
  kit.app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })
  kit.app.route({
    method: ['GET', 'POST'],
    url: '/api/user/:id',
    handler: async (request, reply) => {
      // Fastify never parses a GET body; Flask does, so read it here.
      const form = request.method === 'GET' ? await readForm(request.raw, request.headers['content-type']) : request.body as Record<string, string> | undefined
      forms.push(form)
      if (!form || typeof form['key'] !== 'string') return await reply.code(400).send({ code: 400, message: '資料有誤' })
      if (form['key'] !== options.apiKey) return await reply.code(403).send({ code: 403, message: 'API Key錯誤' })
      const id = (request.params as { id: string }).id
      const user = options.users[id]
      log.push({ time: new Date().toISOString(), message: `${request.method} user ${id}` })
      if (!user) return await reply.code(404).send({ code: 404, message: '未找到此用戶' })
      return user
    }
  })
  const url = await kit.listen()
  return { url, stats: { requests: kit.counts }, requests: kit.requests, forms, log, inject: kit.inject, close: kit.close }
}

/** The seed 002 example user, with a second server. */
export function boardmateSampleUser (baseUrl = 'https://fmdb.maybeisfree.host'): BoardmateUser {
  const server = (id: string, name: string, memory: number, disk: number, cpu: number) =>
    ({ cpu, description: '', disk, id, io: 500, memory, name, oom_disabled: false, swap: 0, threads: null, url: `${baseUrl}/server/${id}` })
  return {
    money: 5269,
    now: { cpu: 100, disk: 3072, memory: 2048, servers: 2 },
    resource: { cpu: 100, disk: 5120, memory: 5120, servers: 3 },
    server: { 22389661: server('22389661', 'My Python Server', 1024, 1024, 50), '7f3a9c21': server('7f3a9c21', 'Node.js API', 1024, 2048, 50) }
  }
}

async function readForm (stream: AsyncIterable<Buffer | string>, contentType: string | undefined): Promise<Record<string, string> | undefined> {
  let text = ''
  for await (const chunk of stream) text += String(chunk)
  if (!text || !String(contentType ?? '').startsWith('application/x-www-form-urlencoded')) return undefined
  return Object.fromEntries(new URLSearchParams(text))
}
