/**
 * Child process of `npm run bench`: the floor of the poll cycle on this machine. Logs in to `accounts`
 * simulator accounts, then lists every account's instances page by page, all accounts at once, `rounds`
 * times — with nothing but the HTTP client and `JSON.parse` (no mapping, no view, no alerts). Client
 * `bare` is `node:http` with a keep-alive agent; `axios` is the host's own client
 * ({@link createHttpClient}). Prints one JSON line `{ "cycles": [ms, …] }` and exits.
 *
 * Arguments: simulator URL, accounts, rounds, client (`bare` | `axios`).
 */
import { createHash } from 'node:crypto'
import { Agent, request } from 'node:http'
import { createHttpClient } from '../../src/core/http.js'
import { BENCH_PASSWORD, benchPhone } from './accounts.js'

const [url = '', accounts = '1', rounds = '3', client = 'bare'] = process.argv.slice(2)
const agent = new Agent({ keepAlive: true })
const axios = createHttpClient()

interface Envelope { code: string; data: any }

async function bare (path: string, body: object, token: string | null): Promise<Envelope> {
  return await new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json;charset=UTF-8', ...(token === null ? {} : { authorization: token }) }
    const req = request(url + path, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => { try { resolve(JSON.parse(Buffer.concat(chunks).toString()) as Envelope) } catch (err) { reject(err) } })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

async function post (path: string, body: object, token: string | null): Promise<Envelope> {
  if (client === 'bare') return await bare(path, body, token)
  const headers = { 'content-type': 'application/json;charset=UTF-8', ...(token === null ? {} : { authorization: token }) }
  return (await axios.request<Envelope>({ method: 'POST', url: url + path, data: body, headers })).data
}

const password = createHash('sha1').update(BENCH_PASSWORD).digest('hex')
const tokens = await Promise.all(Array.from({ length: Number(accounts) }, async (_, a) => {
  const login = await post('/api/v1/new_login', { phone: benchPhone(a), password, v_code: '', phone_area: '+86', picture_id: null }, null)
  const passport = await post('/api/v1/passport', { ticket: login.data.ticket }, null)
  return passport.data.token as string
}))
const cycles: number[] = []
for (let r = 0; r < Number(rounds); r++) {
  const started = performance.now()
  await Promise.all(tokens.map(async (token) => {
    for (let page = 1; ; page++) {
      const answer = await post('/api/v1/instance', { page_index: page, page_size: 20 }, token)
      if (answer.code !== 'Success') throw new Error(`list: ${answer.code}`)
      if (page >= answer.data.max_page) break
    }
  }))
  cycles.push(Math.round(performance.now() - started))
  await new Promise(resolve => setTimeout(resolve, 500))
}
process.stdout.write(`${JSON.stringify({ cycles })}\n`)
agent.destroy()
