import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'

/**
 * The few Bot API methods the host calls, answered at once — so that the time from handing the bot an
 * update (the `getUpdates` answer written) to the first `sendMessage` arriving is the host's alone.
 */
export interface TelegramStub {
  apiRoot: string
  token: string
  userId: number
  /** Hand the bot `/text` and resolve with milliseconds until its first reply arrived. */
  command (text: string): Promise<number>
  close (): Promise<void>
}

export async function startTelegramStub (): Promise<TelegramStub> {
  const token = '123456:bench-token'
  const userId = 4242
  let updateId = 1
  let waiting: ServerResponse | null = null
  let replied: ((at: number) => void) | null = null
  const answer = (res: ServerResponse, result: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }))
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      const method = req.url?.split('/').pop() ?? ''
      if (method === 'getMe') return answer(res, { id: 1, is_bot: true, first_name: 'bench', username: 'bench_bot' })
      if (method === 'getUpdates') {
        waiting = res
        res.on('close', () => { if (waiting === res) waiting = null })
        return
      }
      if (method === 'sendMessage') {
        const at = performance.now()
        answer(res, { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: userId, type: 'private' }, text: (JSON.parse(body) as { text?: string }).text ?? '' })
        replied?.(at)
        replied = null
        return
      }
      answer(res, true) // deleteWebhook, setMyCommands, …
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const apiRoot = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return {
    apiRoot,
    token,
    userId,
    async command (text) {
      for (let i = 0; waiting === null; i++) {
        if (i > 300) throw new Error('the bot is not polling getUpdates')
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      const res = waiting as ServerResponse
      waiting = null
      const reply = new Promise<number>(resolve => { replied = resolve })
      const update = {
        update_id: updateId++,
        message: {
          message_id: updateId, date: Math.floor(Date.now() / 1000), text,
          from: { id: userId, is_bot: false, first_name: 'Bench', language_code: 'en' },
          chat: { id: userId, type: 'private', first_name: 'Bench' },
          entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }]
        }
      }
      const handedAt = performance.now()
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: [update] }))
      return (await reply) - handedAt
    },
    async close () {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}
