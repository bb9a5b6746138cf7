import type { FastifyInstance } from 'fastify'
import { ActionService } from './actions/service.js'
import { MuteList } from './alerts/mutes.js'
import { WatchList } from './alerts/watches.js'
import { AlertEngine } from './alerts/engine.js'
import { ButtonStore } from './notify/buttons.js'
import { createTranslator } from './present/i18n.js'
import { ConfigError } from './core/errors.js'
import type { Channel } from './notify/alert.js'
import { Dispatcher, TelegramChannel } from './notify/telegram.js'
import { WebhookChannel } from './notify/webhook.js'
import { buildApi } from './api/index.js'
import { AuditLog } from './audit/log.js'
import { createBot, type BotService } from './bot/index.js'
import type { HostConfig } from './config/schema.js'
import { accountEntryId, UserAccounts } from './core/accounts.js'
import { Aggregator } from './core/aggregator.js'
import { createEntry, type EntrySpec } from './core/entry.js'
import type { Logger } from './core/logger.js'
import type { ProviderRegistry } from './core/registry.js'
import type { SecretRegistry } from './core/secrets.js'
import type { StateStore } from './core/store.js'

export interface HostDeps {
  registry: ProviderRegistry
  log: Logger
  secrets: SecretRegistry
  store: StateStore
  /** The package version, for the OpenAPI document. */
  version: string
  /** Clock, for tests. */
  now?: () => Date
  /** Time between two looks at an instance an action follows, milliseconds (default 5000; tests shorten it). */
  followIntervalMs?: number
  /** First back-off of webhook retries, milliseconds (default 1000; tests shorten it). */
  webhookRetryBaseMs?: number
}

/** The assembled host: one aggregator read by the API and the bot. */
export interface Host {
  aggregator: Aggregator
  alerts: AlertEngine
  /** Where alerts go; `flush()` awaits deliveries in flight. */
  dispatcher: Dispatcher
  actions: ActionService
  audit: AuditLog
  mutes: MuteList
  watches: WatchList
  api: FastifyInstance
  bot: BotService | null
  /** Accounts users add through the bot; null when the bot or the feature is off. */
  accounts: UserAccounts | null
  /** Start polling, listen, start the bot. Resolves with the API's base URL. */
  start (): Promise<string>
  /** Stop the bot, the API and polling, and flush the store. */
  stop (): Promise<void>
}

/** Provider type used for accounts added with /user and /password (seed 000). */
const ACCOUNT_PROVIDER_TYPE = 'autodl'

/**
 * Wire config entries, bot-added accounts, the aggregator, the status API and the bot. Nothing
 * listens and nothing is polled until `start()`.
 */
export async function buildHost (config: HostConfig, deps: HostDeps): Promise<Host> {
  const { registry, log, secrets, store } = deps
  const now = deps.now ?? (() => new Date())
  const aggregator = new Aggregator({
    pollIntervalMs: config.pollIntervalSeconds * 1000,
    pollTimeoutMs: config.pollTimeoutSeconds * 1000,
    log: log.child({ component: 'aggregator' }),
    secrets,
    now
  })

  for (const url of [config.store, config.telegram.proxy, config.telegram.accounts.proxy, ...config.providers.map(p => p.proxy)]) secrets.addUrlCredentials(url)
  const entryDeps = { log, store, secrets, timeoutMs: config.pollTimeoutSeconds * 1000 }
  const add = async (spec: EntrySpec, failure?: string): Promise<void> => {
    await aggregator.add(createEntry(registry.get(spec.type) ?? null, spec, entryDeps, failure))
  }

  for (const entry of config.providers) {
    if (entry.failure) log.error({ provider: entry.id, module: entry.module }, entry.failure)
    await add(entry, entry.failure)
  }

  const telegram = config.telegram
  const botOn = telegram.token !== null
  const accounts = botOn && telegram.accounts.enabled && registry.get(ACCOUNT_PROVIDER_TYPE)
    ? new UserAccounts(store.namespace('accounts'), {
      attach: async (userId, credentials) => {
        const definition = registry.get(ACCOUNT_PROVIDER_TYPE)!
        const raw = { ...credentials, baseUrl: telegram.accounts.baseUrl }
        const options = definition.normalizeConfig ? definition.normalizeConfig(raw) : raw
        await add({ id: accountEntryId(userId), type: ACCOUNT_PROVIDER_TYPE, options, proxy: telegram.accounts.proxy, owner: userId })
      },
      detach: async (userId) => { await aggregator.remove(accountEntryId(userId)) }
    })
    : null
  const attached = await accounts?.load() ?? []
  if (attached.length > 0) log.info({ accounts: attached.length }, 'accounts added through the bot restored')

  const audit = new AuditLog(store.namespace('audit'), { now })
  const mutes = new MuteList(store.namespace('alerts'), now)
  const actions = new ActionService({
    aggregator, audit, store: store.namespace('actions'), log: log.child({ component: 'actions' }),
    timeoutMs: config.alerts.actionTimeoutSeconds * 1000, followIntervalMs: deps.followIntervalMs, secrets, now
  })
  const api = await buildApi({
    aggregator, apiKeys: config.api.apiKeys, log: log.child({ component: 'api' }), version: deps.version, control: { actions, audit, mutes }
  })
  for (const key of config.api.apiKeys) secrets.add(key.key)
  const watches = new WatchList(store.namespace('alerts'), now)
  const buttons = new ButtonStore(store.namespace('buttons'))
  const keepAlive = new Map<string, { beforeHours: number }>()
  for (const [index, entry] of config.providers.entries()) {
    if (!entry.keepAlive?.enabled) continue
    const caps = aggregator.get(entry.id)?.provider.capabilities
    if (!entry.failure && !(caps?.powerOn && caps.powerOff && caps.noGpuMode && caps.releaseAfterStopSeconds !== null)) {
      throw new ConfigError([`providers[${index}].keepAlive: ${entry.type} cannot keep instances alive (that needs power on/off, a no-GPU mode and a release rule)`])
    }
    keepAlive.set(entry.id, { beforeHours: entry.keepAlive.beforeHours })
  }
  const bot = botOn
    ? await createBot({
      telegram: { ...telegram, token: telegram.token! },
      services: {
        aggregator, accounts, actions, audit, mutes, watches, buttons, operators: new Set(telegram.operatorUserIds), log: log.child({ component: 'bot' }), now
      },
      secrets
    })
    : null

  const translators = { zh: await createTranslator('zh'), en: await createTranslator('en') }
  const channels: Channel[] = config.notify.webhooks.map(w => {
    secrets.add(w.secret)
    return new WebhookChannel(w, { log: log.child({ component: 'webhook' }), version: deps.version, retryBaseMs: deps.webhookRetryBaseMs })
  })
  if (bot) {
    channels.push(new TelegramChannel({
      telegram: bot.bot.telegram, buttons, language: telegram.language, aggregator, chatIds: config.alerts.chatIds,
      readers: [...new Set([...telegram.allowedUserIds, ...telegram.operatorUserIds])], log: log.child({ component: 'telegram-alerts' })
    }))
  }
  const dispatcher = new Dispatcher(channels)
  let stopping: Promise<void> | null = null
  const alerts = new AlertEngine({
    aggregator, actions, watches, mutes, store: store.namespace('alerts'), config: config.alerts, keepAlive,
    send: alert => dispatcher.send(alert), translators, timeZone: telegram.timeZone, log: log.child({ component: 'alerts' }), now
  })

  return {
    aggregator,
    alerts,
    dispatcher,
    actions,
    audit,
    mutes,
    watches,
    api,
    bot,
    accounts,
    async start () {
      alerts.start()
      aggregator.start()
      await api.listen({ host: config.api.host, port: config.api.port })
      const address = api.server.address()
      const port = typeof address === 'object' && address !== null ? address.port : config.api.port
      const url = `http://${config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host}:${port}`
      log.info({ url, providers: aggregator.ids().length, bot: botOn }, 'status API listening')
      bot?.start()
      return url
    },
    stop () {
      stopping ??= (async () => {
        await bot?.stop()
        await api.close()
        await alerts.stop()
        await actions.close()
        await aggregator.stop()
        await dispatcher.flush()
        await store.close()
      })()
      return stopping
    }
  }
}
