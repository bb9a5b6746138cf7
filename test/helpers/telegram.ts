import { readFileSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { connect, createServer as createNetServer } from 'node:net'
import type { Test } from 'tap'
import { Telegram, type Telegraf } from 'telegraf'
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js'

/** A free TCP port on 127.0.0.1 (telegram-test-api treats port 0 as "use 9000"). */
export async function freePort (): Promise<number> {
  const server = createNetServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise(resolve => server.close(resolve))
  return port
}

/** telegram-test-api on a free port, stopped at teardown. */
export async function startTelegramEmulator (t: Test): Promise<TelegramServer> {
  const server = new TelegramServer({ port: await freePort(), host: '127.0.0.1' })
  await server.start()
  t.teardown(() => server.stop())
  return server
}

/** Feed the bot every update the emulator holds for it (the polling loop's work, minus the loop). */
export async function pump (bot: Telegraf<any>): Promise<void> {
  bot.botInfo ??= await bot.telegram.getMe()
  for (const update of await bot.telegram.getUpdates(0, 100, 0, undefined)) await bot.handleUpdate(update)
}

/** Texts the bot sent to `chatId` that were not read yet (marks them read). */
export function replies (server: TelegramServer, chatId: number): string[] {
  const unread = server.storage.botMessages.filter(m => String(m.message.chat_id) === String(chatId) && !m.isRead)
  for (const m of unread) m.isRead = true
  return unread.map(m => String(m.message.text))
}

/** Every text the user sent that is still stored (deleted messages are gone). */
export function userTexts (server: TelegramServer, chatId: number): string[] {
  return server.storage.userMessages
    .filter(u => 'message' in u && (u.message as { chat?: { id: number } }).chat?.id === chatId)
    .map(u => String((u as { message: { text?: string } }).message.text))
}

/** Pass a request on to `target` and its answer back. */
function forward (req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = httpRequest(target, { method: req.method, headers: req.headers }, up => {
    res.writeHead(up.statusCode ?? 502, up.headers)
    up.pipe(res)
  })
  upstream.on('error', () => res.writeHead(502).end())
  req.pipe(upstream)
}

/**
 * An HTTPS front for the emulator (Telegraf only uses its `agent`, hence the proxy, for an https
 * apiRoot, as in production). It records Bot API method names and answers the methods the emulator
 * lacks (`setMyCommands`), recording their bodies. Uses the test certificate in test/fixtures/tls;
 * the caller must accept it (NODE_TLS_REJECT_UNAUTHORIZED=0 in that test process).
 */
export async function startHttpsFront (t: Test, emulatorUrl: string): Promise<{ url: string; methods: string[]; bodies: Record<string, unknown> }> {
  const methods: string[] = []
  const bodies: Record<string, unknown> = {}
  const tls = new URL('../fixtures/tls/', import.meta.url)
  const server = createHttpsServer({ key: readFileSync(new URL('key.pem', tls)), cert: readFileSync(new URL('cert.pem', tls)) }, (req, res) => {
    const method = (req.url ?? '').split('/').pop() ?? ''
    methods.push(method)
    if (method === 'setMyCommands') {
      let body = ''
      req.on('data', chunk => { body += chunk })
      req.on('end', () => {
        bodies[method] = JSON.parse(body)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: true }))
      })
      return
    }
    forward(req, res, new URL(req.url ?? '/', emulatorUrl))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => { server.closeAllConnections(); server.close(resolve) }))
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, methods, bodies }
}

/**
 * An HTTP proxy that records what passes: `CONNECT host:port` tunnels (https targets) and absolute-URI
 * requests (http targets, forwarded).
 */
export async function startRecordingProxy (t: Test): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = []
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    forward(req, res, new URL(req.url ?? '/'))
  })
  server.on('connect', (req, client, head) => {
    seen.push(`CONNECT ${req.url}`)
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => { server.closeAllConnections(); server.close(resolve) }))
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen }
}

/** A message the bot sent (as last edited), with its inline buttons. */
export interface BotMessage {
  messageId: number
  text: string
  buttons: Array<{ text: string; data: string }>
}

/** Every message the bot sent to `chatId`, oldest first, as currently edited. */
export function botMessages (server: TelegramServer, chatId: number): BotMessage[] {
  return server.storage.botMessages
    .filter(m => String(m.message.chat_id) === String(chatId))
    .map(m => {
      const markup = m.message.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined
      return {
        messageId: m.messageId,
        text: String(m.message.text),
        buttons: (markup?.inline_keyboard ?? []).flat().map(b => ({ text: b.text, data: b.callback_data }))
      }
    })
}

/**
 * Press the newest button labelled `label` (exactly, or starting with it) in `chatId`, as `userId`,
 * and let the bot handle it.
 */
export async function press (server: TelegramServer, bot: Telegraf<any>, token: string, chatId: number, label: string, userId = chatId): Promise<void> {
  const message = botMessages(server, chatId).reverse().find(m => m.buttons.some(b => b.text === label || b.text.startsWith(label)))
  if (!message) throw new Error(`no button "${label}" in chat ${chatId}: ${JSON.stringify(botMessages(server, chatId).map(m => m.buttons.map(b => b.text)))}`)
  const button = message.buttons.find(b => b.text === label) ?? message.buttons.find(b => b.text.startsWith(label))!
  const client = server.getClient(token, { userId, chatId })
  const query = client.makeCallbackQuery(button.data, { message: { message_id: message.messageId, chat: { id: chatId, type: 'private' } } as never })
  await client.sendCallback(query)
  await pump(bot)
}

/** Wait until a message in `chatId` matches `pattern` (the bot edits progress messages as actions move). */
export async function waitForMessage (server: TelegramServer, chatId: number, pattern: RegExp, timeoutMs = 10_000): Promise<BotMessage> {
  const started = Date.now()
  for (;;) {
    const found = botMessages(server, chatId).find(m => pattern.test(m.text))
    if (found) return found
    if (Date.now() - started > timeoutMs) throw new Error(`no message matching ${pattern}; messages: ${JSON.stringify(botMessages(server, chatId).map(m => m.text))}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/**
 * Record every Bot API call the bot makes (method and payload) until the test ends — also the ones the
 * emulator does not keep, such as the text of `answerCallbackQuery`.
 */
export function recordBotCalls (t: Test): Array<{ method: string; payload: Record<string, unknown> }> {
  const calls: Array<{ method: string; payload: Record<string, unknown> }> = []
  const proto = Telegram.prototype as unknown as { callApi: (method: string, payload: Record<string, unknown>, options?: unknown) => Promise<unknown> }
  const original = proto.callApi
  proto.callApi = function (method, payload, options) {
    calls.push({ method, payload })
    return original.call(this, method, payload, options)
  }
  t.teardown(() => { proto.callApi = original })
  return calls
}
