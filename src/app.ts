import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { ActionService } from './actions/service.js'
import { ConfirmationStore } from './actions/confirmations.js'
import { StopTimers } from './actions/timers.js'
import { AlertEngine } from './alerts/engine.js'
import { MuteList } from './alerts/mutes.js'
import { WatchList } from './alerts/watches.js'
import { buildApi } from './api/index.js'
import { AuditLog } from './audit/log.js'
import type { BotService } from './bot/index.js'
import { keepAliveProblems } from './config/preflight.js'
import type { HostConfig } from './config/schema.js'
import { accountEntryId, UserAccounts } from './core/accounts.js'
import { Aggregator } from './core/aggregator.js'
import { createEntry, type EntrySpec } from './core/entry.js'
import { ConfigError } from './core/errors.js'
import type { Logger } from './core/logger.js'
import type { ProviderRegistry } from './core/registry.js'
import type { SecretRegistry } from './core/secrets.js'
import type { StateStore } from './core/store.js'
import type { Channel } from './notify/alert.js'
import { ButtonStore } from './notify/buttons.js'
import { createChannel, channelSecrets } from './notify/channels.js'
import { Dispatcher } from './notify/dispatcher.js'
import { ChatLanguages } from './notify/languages.js'
import { Outbox } from './notify/outbox.js'
import { TelegramChannel } from './notify/telegram.js'
import { WebhookChannel } from './notify/webhook.js'
import { createTranslator, type Language, type Translate } from './present/i18n.js'
import { HostMetrics } from './metrics/counters.js'
import { CostLedger } from './money/ledger.js'
import { Budget } from './money/budget.js'
import { MarketWatch, type MarketWatchConfig } from './money/market.js'
import { AvailabilityHistory } from './money/history.js'
import { Replicas } from './core/replicas.js'
import { canSee, PUBLIC_VIEWER } from './core/visibility.js'
import { packageRoot } from './version.js'

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
  /** First back-off of alert deliveries on every channel, milliseconds (default 1000; tests shorten it). */
  deliveryRetryBaseMs?: number
  /** The rate window of the push and e-mail channels, milliseconds (default 60 000; tests shorten it). */
  channelRateIntervalMs?: number
  /**
   * With a Redis store: called once this host lost the leader lease and stopped (it never acts as a
   * second leader). The CLI exits with 75 so the supervisor starts it again, as a follower.
   */
  onDeposed?: (reason: string) => void
}

/** The assembled host: one aggregator read by the API and the bot. */
export interface Host {
  aggregator: Aggregator
  alerts: AlertEngine
  /** Where alerts go; `flush()` awaits deliveries in flight. */
  dispatcher: Dispatcher
  actions: ActionService
  /** Stop timers: `/on … for 3h`, `stopAfter`, `/timer`. */
  timers: StopTimers
  /** The GPU market watch (`alerts.market`, `/market`, `GET /api/v1/market`). */
  market: MarketWatch
  /** Idle GPUs of each instance's host over time (`/history`, `GET …/history`, the page's heat map). */
  history: AvailabilityHistory
  audit: AuditLog
  mutes: MuteList
  watches: WatchList
  api: FastifyInstance
  /** The running cost observed at each poll (`/cost`, `GET /api/v1/cost`). */
  ledger: CostLedger
  /** The host's counters (polls, logins, alerts, deliveries, actions), served in `/metrics`. */
  metrics: HostMetrics
  bot: BotService | null
  /** Accounts users add through the bot; null when the bot or the feature is off. */
  accounts: UserAccounts | null
  /** With a Redis store: the leader election and the leader's view for followers; null otherwise. */
  replicas: Replicas | null
  /** Start polling, listen, start the bot. Resolves with the API's base URL. */
  start (): Promise<string>
  /** Stop the bot, the API and polling, and flush the store. */
  stop (): Promise<void>
}

type Wiring = HostDeps & { config: HostConfig; now: () => Date; metrics: HostMetrics }

/**
 * Wire config entries, bot-added accounts, the aggregator, actions, the status API, the bot and the
 * alert channels. Nothing listens and nothing is polled until `start()`.
 * @throws ConfigError for settings that only make sense once the providers exist (keep-alive on a type
 *   that cannot, chat accounts of a type that does not declare them).
 */
export async function buildHost (config: HostConfig, deps: HostDeps): Promise<Host> {
  const metrics = new HostMetrics({ version: deps.version, isPublic: id => canSee(PUBLIC_VIEWER, id) })
  const w: Wiring = { ...deps, config, now: deps.now ?? (() => new Date()), metrics }
  registerSecrets(w)
  const { aggregator, add } = await wireProviders(w)
  const accounts = await wireChatAccounts(w, aggregator, add)
  const { store, log, now } = w
  const audit = new AuditLog(store.namespace('audit'), { now })
  const mutes = new MuteList(store.namespace('alerts'), now)
  const watches = new WatchList(store.namespace('alerts'), now)
  const buttons = new ButtonStore(store.namespace('buttons'))
  const { ledger, history, budget, market } = wireMoney(w, aggregator)
  const actions = new ActionService({
    aggregator, audit, store: store.namespace('actions'), log: log.child({ component: 'actions' }),
    timeoutMs: config.alerts.actionTimeoutSeconds * 1000, followIntervalMs: deps.followIntervalMs, secrets: w.secrets, now, telemetry: metrics, budget
  })
  const timers = new StopTimers({
    actions, aggregator, audit, store: store.namespace('timers'), log: log.child({ component: 'timers' }), warningMs: (config.alerts['stopTimerWarningMinutes'] as number) * 60_000, now
  })
  const replicas = store.redis ? new Replicas({ redis: store.redis, aggregator, hostId: config.replicas.hostId ?? undefined, leaseMs: config.replicas.leaseSeconds * 1000, log: log.child({ component: 'replicas' }) }) : null
  if (replicas) metrics.leader(replicas.hostId, () => replicas.role() === 'leader')
  // Alerts and the API's confirmations speak both languages: one translator of each for both.
  const translators = { zh: await createTranslator('zh'), en: await createTranslator('en') }
  const api = await buildApi({
    aggregator, apiKeys: config.api.apiKeys, log: log.child({ component: 'api' }), version: deps.version, pageFolder: join(packageRoot() ?? '.', 'dist/page'), counters: metrics, ledger, market, history, replicas,
    control: { actions, timers, audit, mutes, confirmations: new ConfirmationStore(store.namespace('confirmations')), translators, budget, timeZone: config.telegram.timeZone }
  })
  const languages = new ChatLanguages(store.namespace('languages'), config.telegram.language)
  const bot = config.telegram.token === null
    ? null
    // Telegraf is loaded only when the bot runs (a few MiB of a host without Telegram).
    : await (await import('./bot/index.js')).createBot({
      telegram: { ...config.telegram, token: config.telegram.token },
      services: { aggregator, accounts, actions, timers, market, history, audit, mutes, watches, buttons, languages, translators, ledger, budget, operators: new Set(config.telegram.operatorUserIds), log: log.child({ component: 'bot' }), now },
      secrets: w.secrets
    })
  const outbox = new Outbox(store.namespace('outbox'))
  const dispatcher = new Dispatcher(wireChannels(w, { aggregator, bot, buttons, languages, translators, outbox }), { routes: config.alerts.routes, outbox, log: log.child({ component: 'notify' }) })
  const alerts = new AlertEngine({
    aggregator, actions, watches, mutes, store: store.namespace('alerts'), config: config.alerts, keepAlive: keepAliveSettings(config, aggregator),
    send: alerts => dispatcher.send(alerts), translators, budget, ledger, timers, market,
    timeZone: config.telegram.timeZone, log: log.child({ component: 'alerts' }), now
  })
  replicas?.onControl(async request => {
    const res = await api.inject({ method: request.method as 'POST', url: request.url, headers: request.headers, ...(request.body !== undefined ? { payload: request.body } : {}) })
    return { statusCode: res.statusCode, headers: Object.fromEntries(Object.entries(res.headers).filter(([, v]) => typeof v === 'string')) as Record<string, string>, body: res.body }
  })
  const lifecycle = hostLifecycle(w, { aggregator, alerts, actions, timers, market, history, api, bot, dispatcher, ledger, replicas })
  return { aggregator, alerts, dispatcher, actions, timers, market, history, replicas, audit, mutes, watches, api, metrics, bot, accounts, ledger, ...lifecycle }
}

/**
 * The money side: the cost ledger, the availability history, the budgets and the GPU market watch
 * (whose readings the history keeps).
 * @throws ConfigError for an `alerts.market` watch naming a missing entry or one without a market.
 */
function wireMoney ({ config, store, log, metrics, now }: Wiring, aggregator: Aggregator): { ledger: CostLedger; history: AvailabilityHistory; budget: Budget; market: MarketWatch } {
  // Two polls of the slowest entry; a longer silence (the host was down) is neither cost nor availability observed.
  const maxGapSeconds = Math.max(600, 2 * Math.max(config.pollIntervalSeconds, ...config.providers.map(p => p.pollIntervalSeconds)))
  const ledger = new CostLedger({
    aggregator, store: store.namespace('ledger'), timeZone: config.telegram.timeZone, log: log.child({ component: 'ledger' }), telemetry: metrics, now, maxGapMs: maxGapSeconds * 1000
  })
  const history = new AvailabilityHistory({ aggregator, store: store.namespace('history'), timeZone: config.telegram.timeZone, log: log.child({ component: 'history' }), now, maxGapSeconds })
  const budget = new Budget({
    ledger, monthlyYuan: config.budget.monthlyYuan, counts: id => canSee(PUBLIC_VIEWER, id),
    perEntry: new Map(config.providers.flatMap(p => p.budget ? [[p.id, p.budget.monthlyYuan] as const] : []))
  })
  const watches = config.alerts['market'] as MarketWatchConfig[]
  MarketWatch.validate(watches, aggregator)
  const market = new MarketWatch({
    aggregator, store: store.namespace('market'), watches, intervalMs: (config.alerts['marketIntervalSeconds'] as number) * 1000, log: log.child({ component: 'market' }), now
  })
  market.on('reading', reading => { void history.observeMarket(reading) })
  return { ledger, history, budget, market }
}

/** Every credential in a URL of the config (store, proxies), the API keys, the webhook secrets and the channels' keys, tokens and passwords are scrubbed from output. */
function registerSecrets ({ config, secrets }: Wiring): void {
  const { telegram, providers, api, notify } = config
  for (const url of [config.store, telegram.proxy, telegram.accounts.proxy, ...providers.map(p => p.proxy)]) secrets.addUrlCredentials(url)
  for (const key of api.apiKeys) secrets.add(key.key)
  for (const webhook of notify.webhooks) secrets.add(webhook.secret)
  for (const channel of notify.channels) for (const secret of channelSecrets(channel)) secrets.add(secret)
}

/** The aggregator with one entry per configured provider (a plugin that failed to load shows as failing). */
async function wireProviders (w: Wiring): Promise<{ aggregator: Aggregator; add: (spec: EntrySpec, failure?: string) => Promise<void> }> {
  const { config, registry, log, secrets, store, now } = w
  const aggregator = new Aggregator({
    pollIntervalMs: config.pollIntervalSeconds * 1000, pollTimeoutMs: config.pollTimeoutSeconds * 1000, log: log.child({ component: 'aggregator' }), secrets, now,
    maxInstancesPerEntry: config.limits.maxInstancesPerEntry, telemetry: w.metrics
  })
  const entryDeps = { log, store, secrets, timeoutMs: config.pollTimeoutSeconds * 1000, maxResponseBytes: Math.round(config.limits.maxResponseMB * 1024 * 1024), telemetry: w.metrics }
  const add = async (spec: EntrySpec, failure?: string): Promise<void> => {
    await aggregator.add(createEntry(registry.get(spec.type) ?? null, spec, entryDeps, failure))
  }
  for (const entry of config.providers) {
    if (entry.failure) log.error({ provider: entry.id, module: entry.module }, entry.failure)
    await add(entry, entry.failure)
  }
  return { aggregator, add }
}

/**
 * Accounts users add with `/user` and `/password`: entries `tg-<userId>` of the provider type that
 * declares `chatAccounts` (or the one `telegram.accounts.type` names), restored from the store.
 * Null when the bot or the feature is off, or no type offers it.
 */
async function wireChatAccounts (w: Wiring, aggregator: Aggregator, add: (spec: EntrySpec) => Promise<void>): Promise<UserAccounts | null> {
  const { telegram } = w.config
  if (telegram.token === null || !telegram.accounts.enabled) return null
  const definition = telegram.accounts.type === null
    ? w.registry.definitions().find(d => d.chatAccounts !== undefined)
    : w.registry.get(telegram.accounts.type)
  if (definition?.chatAccounts === undefined) {
    if (telegram.accounts.type === null) return null
    throw new ConfigError([`telegram.accounts.type: "${telegram.accounts.type}" does not offer accounts from the chat (types that do: ${w.registry.definitions().filter(d => d.chatAccounts).map(d => d.type).join(', ') || 'none'})`])
  }
  const chat = definition.chatAccounts
  const accounts = new UserAccounts(w.store.namespace('accounts'), {
    attach: async (userId, credentials) => {
      const raw = chat.options({ ...credentials, baseUrl: telegram.accounts.baseUrl })
      const options = definition.normalizeConfig ? definition.normalizeConfig(raw) : raw
      await add({ id: accountEntryId(userId), type: definition.type, options, proxy: telegram.accounts.proxy, pollIntervalSeconds: definition.polling?.defaultSeconds ?? w.config.pollIntervalSeconds })
    },
    detach: async (userId) => { await aggregator.remove(accountEntryId(userId)) }
  }, password => chat.hashPassword(password))
  const attached = await accounts.load()
  if (attached.length > 0) w.log.info({ accounts: attached.length }, 'accounts added through the bot restored')
  return accounts
}

/**
 * `providers[].keepAlive` of the entries that enabled it.
 * @throws ConfigError for an entry whose type cannot keep instances alive.
 */
function keepAliveSettings (config: HostConfig, aggregator: Aggregator): Map<string, { beforeHours: number }> {
  const problems = keepAliveProblems(config, id => aggregator.get(id)?.provider.capabilities)
  if (problems.length > 0) throw new ConfigError(problems)
  const settings = new Map<string, { beforeHours: number }>()
  for (const entry of config.providers) if (entry.keepAlive?.enabled) settings.set(entry.id, { beforeHours: entry.keepAlive.beforeHours })
  return settings
}

/** Where alerts go: every webhook, every `notify.channels` entry, and Telegram when the bot is on; all keep their unfinished deliveries in one outbox. */
function wireChannels (w: Wiring, parts: { aggregator: Aggregator; bot: BotService | null; buttons: ButtonStore; languages: ChatLanguages; translators: Record<Language, Translate>; outbox: Outbox }): Channel[] {
  const { config, log } = w
  const { outbox, translators } = parts
  const channels: Channel[] = config.notify.webhooks.map(webhook =>
    new WebhookChannel(webhook, { log: log.child({ component: 'webhook' }), version: w.version, retryBaseMs: w.deliveryRetryBaseMs, telemetry: w.metrics, outbox }))
  for (const channel of config.notify.channels) {
    channels.push(createChannel(channel, {
      t: translators[channel.language], outbox, log: log.child({ component: 'notify', channel: channel.name }), telemetry: w.metrics,
      retryBaseMs: w.deliveryRetryBaseMs, rateIntervalMs: w.channelRateIntervalMs, now: w.now
    }))
  }
  if (parts.bot) {
    const { telegram } = config
    channels.push(new TelegramChannel({
      telegram: parts.bot.bot.telegram, buttons: parts.buttons, languageOf: async chatId => await parts.languages.get(chatId).catch(() => telegram.language), translators,
      aggregator: parts.aggregator, chatIds: config.alerts.chatIds, readers: [...new Set([...telegram.allowedUserIds, ...telegram.operatorUserIds])],
      log: log.child({ component: 'telegram-alerts' }), telemetry: w.metrics, outbox, retryBaseMs: w.deliveryRetryBaseMs
    }))
  }
  return channels
}

/**
 * `start()` and `stop()`, each once. Alone (a file store), the host leads: it resumes the outbox and
 * starts alerts, timers, the market watch, the ledger, the history, polling, the API and the bot. With a
 * Redis store, only the host holding the lease does that; the others serve the API with the leader's
 * view and take over when it goes. A host that loses the lease stops at once (`onDeposed`).
 */
function hostLifecycle (w: Wiring, parts: { aggregator: Aggregator; alerts: AlertEngine; actions: ActionService; timers: StopTimers; market: MarketWatch; history: AvailabilityHistory; api: FastifyInstance; bot: BotService | null; dispatcher: Dispatcher; ledger: CostLedger; replicas: Replicas | null }): Pick<Host, 'start' | 'stop'> {
  const { aggregator, alerts, actions, timers, market, history, api, bot, dispatcher, ledger, replicas } = parts
  const { host, port } = w.config.api
  let stopping: Promise<void> | null = null
  let leading: Promise<void> | null = null
  let listening = false
  const lead = (): Promise<void> => (leading ??= (async () => {
    await dispatcher.resume().catch((err: Error) => w.log.warn({ err: { message: err.message } }, 'could not read the outbox; deliveries of the previous run are not resumed'))
    alerts.start()
    // After the alerts, which announce them: actions left under way, timers due while nobody led.
    await actions.resume().catch((err: Error) => w.log.warn({ err: { message: err.message } }, 'could not read the unfinished actions; they are not reconciled'))
    await timers.start()
    market.start()
    ledger.start()
    history.start()
    aggregator.start()
    if (listening) bot?.start()
  })())
  const lifecycle: Pick<Host, 'start' | 'stop'> = {
    async start () {
      if (replicas) {
        replicas.on('lead', () => { void lead() })
        replicas.on('deposed', reason => {
          w.log.error({ reason }, 'this host lost the leader lease: it stops now, so that it never acts beside the new leader')
          void lifecycle.stop().finally(() => w.onDeposed?.(reason))
        })
        await replicas.start()
        if (replicas.role() === 'leader') await lead()
        else w.log.info({ host: replicas.hostId, leader: await replicas.leader() }, 'this host follows: it serves the leader\'s view and takes over if the leader goes')
      } else {
        await lead()
      }
      await api.listen({ host, port })
      listening = true
      const address = api.server.address()
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${typeof address === 'object' && address !== null ? address.port : port}`
      w.log.info({ url, providers: aggregator.ids().length, bot: bot !== null }, 'status API listening')
      if (leading) bot?.start()
      return url
    },
    stop () {
      // After a takeover still starting (or it would start parts already stopped); every part is stopped
      // even when one fails (a deposed leader's last writes are refused), the store's connection last.
      const steps = [() => bot?.stop(), () => api.close(), () => alerts.stop(), () => timers.stop(), () => market.stop(), () => actions.close(),
        () => aggregator.stop(), () => ledger.stop(), () => history.stop(), () => dispatcher.close(), () => replicas?.stop(), () => w.store.close()]
      stopping ??= (async () => {
        await leading?.catch(() => {})
        for (const step of steps) {
          try { await step() } catch (err) { w.log.warn({ err: { message: (err as Error).message } }, 'a part of the host did not stop cleanly') }
        }
      })()
      return stopping
    }
  }
  return lifecycle
}
