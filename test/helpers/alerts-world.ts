import type { Test } from 'tap'
import { builtinProviders } from '../../providers/index.js'
import { buildHost, type Host } from '../../src/app.js'
import { parseConfig } from '../../src/config/load.js'
import { createRegistry } from '../../src/core/registry.js'
import { memoryStateStore, type StateStore } from '../../src/core/store.js'
import { captureLog, type CapturedLog } from './log.js'
import { botMessages, pump, startTelegramEmulator, type BotMessage } from './telegram.js'
import { startWebhookReceiver } from './webhook-receiver.js'
import type { TelegramServer } from 'telegram-test-api/lib/telegramServer.js'
import { ALERT_RULES } from '../../src/alerts/rules/index.js'
import { CHANNEL_TYPES } from '../../src/notify/channels.js'

export const TOKEN = '123456789:ALERTS-test'
export const OPERATOR = 701
export const READER = 702
export const WEBHOOK_SECRET = 'webhook-secret-0123456789'

export interface World {
  host: Host
  telegram: TelegramServer
  hooks: Awaited<ReturnType<typeof startWebhookReceiver>>
  store: StateStore
  /** The host's log lines. */
  captured: CapturedLog
  /** Move the host's clock forward. */
  tick (ms: number): void
  now (): Date
  /** Poll every entry, evaluate the alerts, deliver them. */
  poll (): Promise<void>
  /** Messages the bot sent to a user (newest last). */
  messages (userId: number): BotMessage[]
  say (userId: number, text: string): Promise<void>
  /** Build a second host on the same store and clock: a restart. */
  restart (): Promise<World>
}

/**
 * A host with the bot (on telegram-test-api), a webhook receiver and an adjustable clock, over the
 * given provider entries. `alerts` overrides alert settings.
 */
export async function alertsWorld (t: Test, providers: object[], options: { alerts?: object; api?: object; budget?: object; limits?: object; webhookEvents?: string[]; channels?: object[]; channelRateIntervalMs?: number; store?: StateStore; clock?: { offset: number }; telegram?: TelegramServer; hooks?: World['hooks']; accountsBaseUrl?: string } = {}): Promise<World> {
  const telegram = options.telegram ?? await startTelegramEmulator(t)
  const hooks = options.hooks ?? await startWebhookReceiver(t)
  const clock = options.clock ?? { offset: 0 }
  const now = (): Date => new Date(Date.now() + clock.offset)
  const store = options.store ?? memoryStateStore()
  const registry = createRegistry(builtinProviders)
  const config = parseConfig({
    telegram: {
      token: TOKEN, apiRoot: telegram.config.apiURL, allowedUserIds: [READER], operatorUserIds: [OPERATOR], language: 'en', timeZone: 'Asia/Shanghai',
      ...(options.accountsBaseUrl ? { accounts: { baseUrl: options.accountsBaseUrl } } : {})
    },
    alerts: { offlineAfterSeconds: 300, ...options.alerts },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.api ? { api: options.api } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
    notify: { webhooks: [{ url: hooks.url, secret: WEBHOOK_SECRET, events: options.webhookEvents ?? ['*'], maxAttempts: 4 }], channels: options.channels ?? [] },
    providers
  }, { registry, alertRules: ALERT_RULES, channelTypes: CHANNEL_TYPES, env: {} })
  const captured = captureLog()
  const host = await buildHost(config, { registry, log: captured.log, secrets: captured.secrets, store, version: 't', now, followIntervalMs: 20, deliveryRetryBaseMs: 20, channelRateIntervalMs: options.channelRateIntervalMs ?? 60_000 })
  await host.dispatcher.resume()
  host.alerts.start()
  await host.timers.start()
  host.ledger.start()
  host.history.start()
  t.teardown(() => host.stop())
  const world: World = {
    host, telegram, hooks, store, captured,
    tick: (ms) => { clock.offset += ms },
    now,
    poll: async () => {
      await host.aggregator.refresh()
      await host.alerts.evaluate()
      await host.ledger.settled()
      await host.history.settled()
      await host.dispatcher.flush()
    },
    messages: (userId) => botMessages(telegram, userId),
    say: async (userId, text) => {
      const client = telegram.getClient(TOKEN, { userId, chatId: userId })
      await client.sendCommand(client.makeCommand(text))
      await pump(host.bot!.bot)
    },
    restart: async () => {
      await host.stop()
      return await alertsWorld(t, providers, { ...options, store, clock, telegram, hooks })
    }
  }
  return world
}
