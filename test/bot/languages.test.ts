import t, { type Test } from 'tap'
import { makeInstance, nullTime } from '../../src/demo/simulators/autodl/fixtures.js'
import { startAutodlSimulator } from '../../src/demo/simulators/autodl/server.js'
import { languageFromCode } from '../../src/notify/languages.js'
import { memoryStateStore } from '../../src/core/store.js'
import { alertsWorld, OPERATOR, READER, TOKEN, type World } from '../helpers/alerts-world.js'
import { pump, replies } from '../helpers/telegram.js'

const HOUR = 3600_000

async function lab (t: Test, hoursLeft: number | null = null) {
  const instances = hoursLeft === null ? [] : [makeInstance({ uuid: 'r1', machine_id: 'm-1', name: 'run-1', region_name: '内蒙B区', status: 'shutdown', stopped_at: nullTime(new Date(Date.now() - 15 * 24 * HOUR + hoursLeft * HOUR)) })]
  const simulator = await startAutodlSimulator({ accounts: [{ phone: '13800000000', password: 'pw', instances }] })
  t.teardown(() => simulator.close())
  return [{ id: 'lab', type: 'autodl', phone: '13800000000', password: 'pw', baseUrl: simulator.url }]
}

/** `text` sent by `userId`, whose Telegram app reports `languageCode` (none: undefined); the bot's replies. */
async function say (world: World, userId: number, text: string, languageCode?: string): Promise<string[]> {
  const client = world.telegram.getClient(TOKEN, { userId, chatId: userId })
  await client.sendCommand(client.makeCommand(text, languageCode === undefined ? {} : { from: { language_code: languageCode } }))
  await pump(world.host.bot!.bot)
  return replies(world.telegram, userId)
}

t.test('language_code: zh* is Chinese, anything else English', async t => {
  t.equal(languageFromCode('zh-hans'), 'zh')
  t.equal(languageFromCode('zh-TW'), 'zh')
  t.equal(languageFromCode('en-GB'), 'en')
  t.equal(languageFromCode('de'), 'en')
  t.equal(languageFromCode(undefined), null)
})

t.test('each user in their language: /lang, else their Telegram language, else telegram.language; kept across a restart', async t => {
  const world = await alertsWorld(t, await lab(t)) // telegram.language: en
  t.same(await say(world, READER, '/lang'), ['Language: English. Change it with /lang zh|en|auto.'], 'no language_code: the host\'s language')
  t.same(await say(world, READER, '/lang', 'zh-hans'), ['当前语言：中文。用 /lang zh|en|auto 更改。'], 'a Chinese Telegram app: Chinese')
  t.same(await say(world, READER, '/lang en', 'zh-hans'), ['OK, I will answer you in English from now on, alerts too.'])
  t.same(await say(world, READER, '/lang', 'zh-hans'), ['Language: English. Change it with /lang zh|en|auto.'], '/lang wins over the Telegram language')
  t.same(await say(world, OPERATOR, '/lang zh'), ['好的，之后用中文回复你，提醒也一样。'], 'each user their own')
  t.same(await say(world, READER, '/lang fr'), ['Usage: /lang zh|en|auto (auto: follow your Telegram language)'])
  const second = await world.restart()
  t.same(await say(second, OPERATOR, '/lang'), ['当前语言：中文。用 /lang zh|en|auto 更改。'], 'kept across a restart')
  t.same(await say(second, READER, '/lang auto', 'zh-hans'), ['好的，之后跟随你的 Telegram 语言设置（当前：中文）。'])
})

t.test('alerts to a chat use that user\'s language', async t => {
  const store = memoryStateStore()
  const world = await alertsWorld(t, await lab(t, 20), { store })
  await say(world, READER, '/lang zh')
  await say(world, OPERATOR, '/help', 'en-US')
  await world.poll()
  t.match(world.messages(READER).at(-1)?.text, /^⏳ run-1（lab）已关机，.+后释放/, 'Chinese for the user who chose it')
  t.same(world.messages(READER).at(-1)?.buttons.map(b => b.text), ['保活'])
  t.match(world.messages(OPERATOR).at(-1)?.text, /^⏳ run-1 \(lab\) is shut down and will be released in /, 'English for the other')
})

t.test('the command menu is registered in each language', async t => {
  const world = await alertsWorld(t, await lab(t))
  const bot = world.host.bot!
  const calls: Array<{ languageCode: string | undefined; first: string }> = []
  bot.bot.telegram.setMyCommands = async (commands, extra) => {
    calls.push({ languageCode: extra?.language_code, first: commands[0]!.description })
    return true
  }
  bot.start()
  while (calls.length < 3) await new Promise(resolve => setTimeout(resolve, 5))
  await bot.stop()
  t.same(calls, [
    { languageCode: undefined, first: 'Idle GPUs on each instance\'s host, state, release countdown' },
    { languageCode: 'zh', first: '每个实例所在主机的空闲 GPU、状态与释放倒计时' },
    { languageCode: 'en', first: 'Idle GPUs on each instance\'s host, state, release countdown' }
  ])
})
