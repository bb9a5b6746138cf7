import t, { type Test } from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { sha1Hex } from '../../providers/autodl/schema.js'
import { buildHost } from '../../src/app.js'
import { parseConfig } from '../../src/config/load.js'
import { createRegistry } from '../../src/core/registry.js'
import { memoryStateStore, type StateStore } from '../../src/core/store.js'
import { captureLog } from '../helpers/log.js'
import { pump, replies, startHttpsFront, startRecordingProxy, startTelegramEmulator, userTexts } from '../helpers/telegram.js'
import { demoInstances, makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'

const TOKEN = '123456789:TEST-bot-token_abc'
const OWNER = 111
const FRIEND = 333
const NEWCOMER = 222
const STRANGER = 999
const LAB_PASSWORD = 'lab-shared-password'
const USER_PHONE = '13911112222'
const USER_PASSWORD = 'my Own p@ss word'
const registry = createRegistry(builtinProviders)

async function setup (t: Test, options: { language?: 'zh' | 'en'; store?: StateStore; proxy?: string; https?: boolean } = {}) {
  const own = makeInstance({ machine_id: 'ownhost01', name: 'my-private-box', region_name: '重庆A区', status: 'shutdown',
    gpu_all_num: 4, gpu_idle_num: 2, stopped_at: nullTime(new Date(Date.now() - 86400_000)) })
  const instances = demoInstances(new Date())
  const simulator = await startAutodlSimulator({ accounts: [
    { phone: '13800000000', password: LAB_PASSWORD, instances },
    { phone: USER_PHONE, password: USER_PASSWORD, instances: [own] }
  ] })
  t.teardown(() => simulator.close())
  const telegram = await startTelegramEmulator(t)
  const front = options.https ? await startHttpsFront(t, telegram.config.apiURL) : null
  const config = parseConfig({
    providers: [{ id: 'lab', type: 'autodl', phone: '13800000000', password: LAB_PASSWORD, baseUrl: simulator.url }],
    telegram: {
      token: TOKEN, apiRoot: front?.url ?? telegram.config.apiURL, allowedUserIds: [OWNER, FRIEND, NEWCOMER], language: options.language ?? 'zh',
      proxy: options.proxy ?? null, accounts: { baseUrl: simulator.url }
    }
  }, { registry, alertRules: ALERT_RULES, env: {} })
  const captured = captureLog()
  const store = options.store ?? memoryStateStore()
  const host = await buildHost(config, { registry, log: captured.log, secrets: captured.secrets, store, version: 'test' })
  t.teardown(() => host.stop())
  await host.aggregator.refresh()
  const bot = host.bot!.bot
  const say = async (userId: number, text: string, type: 'private' | 'group' = 'private') => {
    const client = telegram.getClient(TOKEN, { userId, chatId: type === 'private' ? userId : -1000 - userId, type, firstName: `u${userId}` })
    if (text.startsWith('/')) await client.sendCommand(client.makeCommand(text))
    else await client.sendMessage(client.makeMessage(text))
    await pump(bot)
    return replies(telegram, type === 'private' ? userId : -1000 - userId)
  }
  return { simulator, telegram, host, bot, say, captured, instances, own, store, front }
}

t.test('/start and /help list the commands; unknown commands and plain text get the help', async t => {
  const { say } = await setup(t)
  const [help] = await say(OWNER, '/start')
  for (const command of ['/gpuvalid', '/status', '/user', '/password', '/forget', '/help']) t.match(help, command)
  t.match(help, '每个实例所在主机的空闲 GPU')
  t.same(await say(OWNER, '/help'), [help])
  t.same(await say(OWNER, '/frobnicate'), [help])
  t.same(await say(OWNER, 'hello'), [help])
})

t.test('a user who is not allowed gets one refusal with their id and nothing more', async t => {
  const { say, captured, telegram } = await setup(t)
  const first = await say(STRANGER, '/gpuvalid')
  t.equal(first.length, 1)
  t.match(first[0], `你的 Telegram 用户 ID：${STRANGER}`)
  t.notOk(first[0]!.includes('641机'), 'no instance data')
  t.same(await say(STRANGER, '/gpuvalid'), [], 'no second answer')
  t.same(await say(STRANGER, '/start'), [])
  t.same(await say(STRANGER, '/password hunter2-stranger'), [], 'still no answer…')
  t.notOk(userTexts(telegram, STRANGER).some(text => text.includes('hunter2')), '…but the password message is deleted')
  t.ok(captured.entries().some(e => e['userId'] === STRANGER && /refused/.test(String(e['msg']))), 'the refusal is logged')
})

t.test('/gpuvalid: one line per instance with region / name, host GPUs idle/total, state and release countdown', async t => {
  const { say, instances } = await setup(t)
  const text = (await say(OWNER, '/gpuvalid')).join('\n')
  const lines = text.split('\n')
  t.equal(lines.length, instances.length, 'one line per instance (a single provider: no headers)')
  const seed = lines.find(l => l.includes('641机'))!
  t.match(seed, '北京A区 / 641机')
  t.match(seed, 'RTX 3090 ×1')
  t.match(seed, '空闲 GPU 1/8')
  t.match(seed, '已关机')
  t.match(seed, '已过释放时间', 'the seed instance stopped in 2024: release time passed')
  t.match(seed, '¥1.58/时')
  t.match(seed, /^🟢/, '1 idle ≥ 1 requested')
  const sd = lines.find(l => l.includes('sd-webui'))!
  // Stopped 13 d 20 h before the fixture was made: 1 d 3 h 59 m and some seconds are left.
  t.match(sd, /^⚪ 西北B区 \/ sd-webui · RTX 4090 ×1 · 空闲 GPU 0\/8 · 已关机 · 1天、3小时后释放 · ¥1\.88\/时$/)
  t.match(lines.find(l => l.includes('a800-pretrain')), '12天、23小时后释放', 'stopped 2 days ago: just under 13 days left')
  t.match(lines.find(l => l.includes('llama-finetune')), '运行中')
  t.match(lines.find(l => l.includes('migrating-one')), '未知（migrating）')
  t.match(lines.find(l => l.includes('eval-box')), '关机中')
})

t.test('/gpuvalid in English', async t => {
  const { say } = await setup(t, { language: 'en' })
  const text = (await say(OWNER, '/gpuvalid')).join('\n')
  t.match(text, '⚪ 西北B区 / sd-webui · RTX 4090 ×1 · GPUs idle 0/8 · stopped · released in 1d, 3h · ¥1.88/h')
  t.match(text, 'release time passed')
  t.match(text, 'unknown (migrating)')
})

t.test('/status: ok, then failing with the reason and stale data, then back', async t => {
  const { say, host, simulator } = await setup(t)
  t.match((await say(OWNER, '/status'))[0], /^✅ lab（autodl）· 9 个实例 · 上次成功 \d+秒钟前\n {4}余额：¥100\.00$/)
  simulator.inject('/api/v1/instance', { code: 'TORealName', msg: '请先完成实名认证' })
  await host.aggregator.refresh()
  const [status] = await say(OWNER, '/status')
  t.match(status, '❌ lab（autodl）· 9 个实例 · 上次成功')
  t.match(status, 'CW_ERR_PROVIDER_API: AutoDL /api/v1/instance: TORealName (请先完成实名认证)')
  t.match((await say(OWNER, '/gpuvalid')).join('\n'), '（lab 本次读取失败，显示的是上次成功的数据）')
  await host.aggregator.refresh()
  t.match((await say(OWNER, '/status'))[0], /^✅/)
})

t.test('/user + /password: the password message is deleted, only its SHA-1 is stored, the account joins as tg-<id>', async t => {
  const { say, telegram, host, store, own, captured } = await setup(t)
  t.same(await say(NEWCOMER, `/user ${USER_PHONE}`), [`已保存手机号 +86 ${USER_PHONE}。请发送 /password <密码> 完成设置。`])
  const answers = await say(NEWCOMER, `/password ${USER_PASSWORD}`)
  t.same(answers.slice(0, 2), ['已删除你发送密码的那条消息；只保存了密码的 SHA-1。', '正在登录并读取实例…'])
  t.equal(answers[2], `✅ 账号 tg-${NEWCOMER} 已加入：1 个实例。发送 /gpuvalid 查看。`)
  t.notOk(userTexts(telegram, NEWCOMER).some(text => text.includes(USER_PASSWORD)), 'the /password message is gone from the chat')
  t.ok(userTexts(telegram, NEWCOMER).some(text => text.startsWith('/user')), 'other messages stay')
  t.same(await store.namespace('accounts').get(`user:${NEWCOMER}`), { phone: USER_PHONE, phoneArea: '+86', passwordHash: sha1Hex(USER_PASSWORD) }, 'only the SHA-1 AutoDL logs in with')

  t.match((await say(NEWCOMER, '/gpuvalid')).join('\n'), `【tg-${NEWCOMER}】\n🟢 重庆A区 / my-private-box`)
  t.notOk((await say(OWNER, '/gpuvalid')).join('\n').includes('my-private-box'), 'other users do not see it')
  t.notOk(host.aggregator.view({}).instances.some(i => i.id === own.uuid), 'the API does not see it')
  t.match((await say(NEWCOMER, '/status')).join('\n'), `✅ tg-${NEWCOMER}（autodl）· 1 个实例`)

  const everything = [...telegram.storage.botMessages.map(m => String(m.message.text)), ...captured.lines].join('\n')
  t.notOk(everything.includes(USER_PASSWORD), 'the password is in no bot message or log line')
  t.notOk(everything.includes(sha1Hex(USER_PASSWORD)), 'nor its SHA-1')
})

t.test('/password first, then /user; a correction within 5 min waits; /forget removes it', async t => {
  const { say, host, simulator } = await setup(t)
  t.same((await say(NEWCOMER, '/password wrong-one')).slice(-1), ['已保存密码。请再发送 /user <手机号> 完成设置。'])
  const answers = await say(NEWCOMER, `/user ${USER_PHONE}`)
  t.equal(answers[0], `已保存手机号 +86 ${USER_PHONE}，正在用已保存的密码登录…`)
  t.match(answers.at(-1), /^❌ 账号 tg-222 已保存，但暂时无法读取：AutoDL login failed: LoginFailed/)
  const replaced = await say(NEWCOMER, `/password ${USER_PASSWORD}`)
  t.match(replaced.at(-1), /^登录尝试过多（每个手机号每 5 分钟最多 1 次）。未保存任何内容，请在 .+ 之后再试。$/, 'a second login of the same phone within 5 min is refused, and says until when')
  t.equal(simulator.stats.requests['/api/v1/new_login'], 2, 'the lab entry and the one attempt')
  t.same(host.aggregator.ids(), ['lab', `tg-${NEWCOMER}`])
  t.same(await say(NEWCOMER, '/forget'), [`已删除你的账号设置，tg-${NEWCOMER} 不再被监控。`])
  t.same(host.aggregator.ids(), ['lab'])
  t.same(await say(NEWCOMER, '/forget'), ['你还没有设置账号。'])
})

t.test('login attempts through the bot: at most 5 an hour per user, 1 every 5 minutes per phone number', async t => {
  const { say, simulator } = await setup(t, { language: 'en' })
  const logins = () => simulator.stats.requests['/api/v1/new_login'] ?? 0
  const before = logins()
  for (let n = 1; n <= 5; n++) {
    await say(NEWCOMER, `/user 1390000000${n}`)
    t.match((await say(NEWCOMER, `/password guess-${n}`)).at(-1), /^❌ Account tg-222 saved, but it cannot be read right now: AutoDL login failed/)
  }
  t.equal(logins() - before, 5)
  await say(NEWCOMER, '/user 13900000006')
  const sixth = await say(NEWCOMER, '/password guess-6')
  t.match(sixth.at(-1), /^Too many login attempts \(at most 5 an hour per user\)\. Nothing was saved; try again after .+\.$/)
  t.equal(logins() - before, 5, 'the sixth attempt reached nobody')
  // Another user on a phone just tried: refused, whoever sends it (no password oracle against a number).
  await say(FRIEND, '/user 13900000005')
  t.match((await say(FRIEND, '/password guess-7')).at(-1), /^Too many login attempts \(at most 1 every 5 minutes per phone number\)/)
  t.equal(logins() - before, 5)
  await say(FRIEND, '/user 13900000007')
  t.match((await say(FRIEND, '/password guess-8')).at(-1), /^❌ Account tg-333 saved/, 'the friend\'s own attempts still count from 1')
})

t.test('bad /user input and /password in a group', async t => {
  const { say, telegram, store } = await setup(t)
  t.match((await say(NEWCOMER, '/user'))[0], /^用法：\/user <手机号>/)
  t.same(await say(NEWCOMER, '/user 12ab'), ['手机号只能包含 5–20 位数字，区号形如 +86。'])
  t.same(await say(NEWCOMER, '/user 13800000000 86'), ['手机号只能包含 5–20 位数字，区号形如 +86。'])
  t.same(await say(NEWCOMER, '/password'), ['用法：/password <密码>（消息会被立即删除）'])
  t.same(await say(NEWCOMER, '/password leaked-in-group', 'group'), ['⚠️ 请只在与机器人的私聊中发送账号信息。没有保存这条密码；由于它已在群里出现，建议修改密码。'])
  t.notOk(userTexts(telegram, -1000 - NEWCOMER).some(text => text.includes('leaked-in-group')), 'deleted from the group too')
  t.same(await store.namespace('accounts').get(`user:${NEWCOMER}`), undefined, 'nothing stored')
  t.same(await say(NEWCOMER, `/user ${USER_PHONE}`, 'group'), ['请在与机器人的私聊中设置账号。'])
})

t.test('accounts added through the bot come back after a restart', async t => {
  const store = memoryStateStore()
  const first = await setup(t, { store })
  await first.say(NEWCOMER, `/user ${USER_PHONE}`)
  await first.say(NEWCOMER, `/password ${USER_PASSWORD}`)
  const logins = first.simulator.stats.logins
  await first.host.stop()
  const second = await setup(t, { store })
  t.same(second.host.aggregator.ids(), ['lab', `tg-${NEWCOMER}`])
  t.ok(second.host.aggregator.snapshot.providers.every(p => p.ok))
  t.equal(logins, 2, 'the first run logged in twice (lab and the user)')
})

t.test('errors in a handler are caught, logged and answered with an apology', async t => {
  const { say, host, captured } = await setup(t)
  host.aggregator.view = () => { throw new Error(`exploded near ${TOKEN}`) }
  t.same(await say(OWNER, '/gpuvalid'), ['出错了，请稍后再试。'])
  const line = captured.lines.find(l => l.includes('bot handler failed'))
  t.ok(line)
  t.notOk(line!.includes(TOKEN), 'the bot token is scrubbed from the log')
})

t.test('start() registers the command menu and polls through telegram.proxy (the production path)', async t => {
  // The HTTPS front uses a self-signed test certificate.
  process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0'
  t.teardown(() => { delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'] })
  const proxy = await startRecordingProxy(t)
  const { telegram, host, front } = await setup(t, { proxy: proxy.url, https: true })
  host.bot!.start()
  const client = telegram.getClient(TOKEN, { userId: OWNER, chatId: OWNER })
  await client.sendCommand(client.makeCommand('/gpuvalid'))
  const { result } = await client.getUpdates()
  await host.bot!.stop()
  t.match(result[0]?.message.text, '北京A区 / 641机', 'answered through long polling')
  const frontHost = new URL(front!.url).host
  t.ok(proxy.seen.length > 0 && proxy.seen.every(line => line === `CONNECT ${frontHost}`), 'every Telegram call tunnels through the proxy')
  for (const method of ['setMyCommands', 'getMe', 'deleteWebhook', 'getUpdates', 'sendMessage']) t.ok(front!.methods.includes(method), `${method} was called`)
  t.same((front!.bodies['setMyCommands'] as { commands: Array<{ command: string }> }).commands.map(c => c.command),
    ['gpuvalid', 'status', 'balance', 'cost', 'on', 'nogpu', 'off', 'keepalive', 'timer', 'watch', 'watches', 'unwatch', 'history', 'market', 'mute', 'unmute', 'audit', 'user', 'password', 'forget', 'lang', 'help'])
})
