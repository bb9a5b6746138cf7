import t from 'tap'
import type { Telegram } from 'telegraf'
import { Aggregator } from '../../src/core/aggregator.js'
import { memoryStateStore } from '../../src/core/store.js'
import type { Alert } from '../../src/notify/alert.js'
import { ButtonStore } from '../../src/notify/buttons.js'
import { TelegramChannel } from '../../src/notify/telegram.js'
import { createTranslator } from '../../src/present/i18n.js'
import { captureLog } from '../helpers/log.js'

const alert: Alert = {
  id: 'a-1', event: 'provider.down', rule: 'provider', at: '2026-11-21T08:00:00.000Z', provider: { id: 'lab', type: 'autodl' }, instance: null,
  text: { zh: '❌ lab 无法访问', en: '❌ lab is failing' }, data: {}
}

t.test('each message an alert sends to a chat is counted, sent or failed, and a failing chat does not stop the others', async t => {
  const captured = captureLog()
  const sent: number[] = []
  const telegram = {
    sendMessage: async (chatId: number) => {
      if (chatId === 2) throw Object.assign(new Error('403: Forbidden: bot was blocked by the user'), { response: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } })
      sent.push(chatId)
      return {}
    }
  } as unknown as Telegram
  const counted: string[] = []
  const channel = new TelegramChannel({
    telegram, buttons: new ButtonStore(memoryStateStore().namespace('buttons')), languageOf: async () => 'en', translators: { zh: await createTranslator('zh'), en: await createTranslator('en') },
    aggregator: new Aggregator({ pollIntervalMs: 60_000, pollTimeoutMs: 5000, log: captured.log, secrets: captured.secrets }),
    readers: [1, 2, 3], chatIds: {}, log: captured.log,
    telemetry: { poll () {}, login () {}, webhookDelivery () {}, action () {}, alert: (event, channel, result) => counted.push(`${event} ${channel} ${result}`) }
  })
  channel.send([alert])
  await channel.flush()
  t.same(sent, [1, 3])
  t.same(counted.sort(), ['provider.down telegram failed', 'provider.down telegram sent', 'provider.down telegram sent'])
  t.ok(captured.entries().some(e => e['msg'] === 'could not send an alert to telegram' && e['chatId'] === 2))
})
