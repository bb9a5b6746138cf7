import { Composer } from 'telegraf'
import type { ActionKind } from '../../actions/record.js'
import { hasIdleGpus, type Instance } from '../../core/instance.js'
import { matchInstances } from '../../core/match.js'
import type { ProviderCapabilities } from '../../core/provider.js'
import { stateFits, supports, type Verb } from '../../core/verbs.js'
import { isButtonData, keyboard, type ButtonPayload } from '../../notify/buttons.js'
import { canAct, viewFor, type BotContext } from '../context.js'
import { confirmationText, stopTimerLine } from '../../present/confirm.js'
import { formatDuration, formatTime, instanceLabel } from '../../present/format.js'
import { parseStopAfter } from '../../actions/timers.js'
import type { ProgressMessages } from '../progress.js'
import type { BotCommandSpec } from './registry.js'
import { setWatch } from './watch.js'

const VERBS: readonly Verb[] = ['on', 'nogpu', 'off', 'keepalive']
export const KIND: Readonly<Record<Verb, ActionKind>> = { on: 'power-on', nogpu: 'power-on', off: 'power-off', keepalive: 'keep-alive' }
const MAX_CHOICES = 20

/**
 * `/on`, `/nogpu`, `/off`, `/keepalive <instance>`: the instance is matched by name or id prefix; with no
 * argument or an ambiguous one the candidates come as buttons. Nothing runs without a confirmation
 * button that says what will happen and what it costs; then the same message follows the action
 * (see {@link powerButtons}). Who may act is checked per instance. `/on <instance> for 3h` (and `/nogpu`)
 * also sets a stop timer: the confirmation says when it stops and what the run costs.
 */
export const powerCommands: readonly BotCommandSpec[] = VERBS.map(verb => ({
  name: verb,
  who: 'actor',
  async handler (ctx) {
    if (verb !== 'on' && verb !== 'nogpu') return await choose(ctx, verb, ctx.payload.trim(), `/${verb}`)
    const { query, stopAfter } = splitStopAfter(ctx.payload)
    if (stopAfter === null) return await choose(ctx, verb, query, `/${verb}`)
    let ms: number
    try {
      ms = parseStopAfter(stopAfter)
    } catch {
      return await ctx.reply(`${ctx.t('timer.badDuration', { text: stopAfter })}\n${ctx.t('power.usageTimer', { command: `/${verb}` })}`)
    }
    await choose(ctx, verb, query, `/${verb}`, ms)
  }
}))

/**
 * `/on <instance> for 3h` → the instance query and `3h` (null without `for …`). `for` must be the
 * second-to-last word, so an instance named with "for" elsewhere still matches.
 */
export function splitStopAfter (payload: string): { query: string; stopAfter: string | null } {
  const match = /^(?:(.*?)\s+)?for\s+(\S+)\s*$/i.exec(payload.trim())
  return match ? { query: (match[1] ?? '').trim(), stopAfter: match[2]! } : { query: payload.trim(), stopAfter: null }
}

/** The buttons of confirmations, candidates and alerts: pick → confirm → the action, followed in the message. */
export function powerButtons (progress: ProgressMessages): Composer<BotContext> {
  const composer = new Composer<BotContext>()
  composer.on('callback_query', async (ctx, next) => {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined
    if (!isButtonData(data)) return await next()
    const payload = await ctx.services.buttons.payload(data)
    if (!payload) return await ctx.answerCbQuery(ctx.t('power.expired'), { show_alert: true })
    await handle(ctx, payload, data, progress)
  })
  return composer
}

/** Confirmations (and the confirmation of an automatic watch) work once; a replay does nothing. */
const singleUse = (payload: ButtonPayload): boolean => payload.do === 'confirm' || (payload.do === 'watch' && payload.auto === true)

async function handle (ctx: BotContext, payload: ButtonPayload, data: string, progress: ProgressMessages): Promise<void> {
  const userId = ctx.from!.id
  if (payload.do === 'cancel' || payload.do === 'confirm') {
    if (payload.userId !== userId) { await ctx.answerCbQuery(ctx.t('power.notYours'), { show_alert: true }); return }
  }
  if (payload.do === 'watch' && payload.auto && payload.userId !== userId) { await ctx.answerCbQuery(ctx.t('power.notYours'), { show_alert: true }); return }
  if (singleUse(payload) && !await ctx.services.buttons.consume(data)) {
    await ctx.answerCbQuery(ctx.t('power.used'), { show_alert: true })
    return
  }
  if (payload.do === 'cancel') {
    await ctx.answerCbQuery()
    await ctx.editMessageText(ctx.t('confirm.cancelled'))
    return
  }
  if (payload.do === 'watch') {
    await ctx.answerCbQuery()
    await setWatch(ctx, payload.provider, payload.instanceId, { auto: payload.auto ?? false, windowMs: payload.windowMs ?? null })
    return
  }
  const instance = visible(ctx).find(i => i.provider === payload.provider && i.id === payload.instanceId)
  if (!instance) { await ctx.answerCbQuery(ctx.t('power.expired'), { show_alert: true }); return }
  if (payload.do === 'pick') {
    await ctx.answerCbQuery()
    await ask(ctx, payload.verb, instance, payload.stopAfterMs)
    return
  }
  if (payload.do === 'extend' || payload.do === 'stopnow') return await timerButton(ctx, payload, instance, progress)
  // confirm
  if (!canAct(ctx.services, userId, instance.provider)) { await ctx.answerCbQuery(ctx.t('power.notOperator', { userId }), { show_alert: true }); return }
  await ctx.answerCbQuery()
  const verbText = ctx.t(`power.verbs.${payload.verb}`)
  const message = ctx.callbackQuery!.message
  await ctx.editMessageText(ctx.t('progress.requested', { verb: verbText, instance: instance.name }))
  try {
    const request = {
      providerId: instance.provider, instanceId: instance.id, mode: payload.verb === 'nogpu' ? 'no_gpu' as const : 'gpu' as const,
      actor: { kind: 'telegram' as const, userId, name: ctx.from?.username ?? ctx.from?.first_name }, viewer: { telegramUserId: userId }
    }
    const record = payload.stopAfterMs !== undefined && KIND[payload.verb] === 'power-on'
      ? await ctx.services.timers.powerOn(request, payload.stopAfterMs)
      : await ctx.services.actions.start({ ...request, kind: KIND[payload.verb] })
    if (message) await progress.track(record, { chatId: message.chat.id, messageId: message.message_id, verb: payload.verb, language: ctx.language })
  } catch (err) {
    const stored = (err as { code?: unknown }).code === 'CW_ERR_STORE'
    await ctx.editMessageText(ctx.t('progress.failed', { verb: verbText, instance: instance.name, error: stored ? ctx.t('error.store') : (err as Error).message }))
  }
}

function visible (ctx: BotContext): Instance[] {
  return viewFor(ctx).instances
}

/**
 * The warning's [Extend 1h] and [Stop now]: for those who may act on the instance. [Stop now] needs no
 * second confirmation: the power-off was asked for when the timer was set.
 */
async function timerButton (ctx: BotContext, payload: Extract<ButtonPayload, { do: 'extend' | 'stopnow' }>, instance: Instance, progress: ProgressMessages): Promise<void> {
  const userId = ctx.from!.id
  if (!canAct(ctx.services, userId, instance.provider)) { await ctx.answerCbQuery(ctx.t('power.notOperator', { userId }), { show_alert: true }); return }
  const actor = { kind: 'telegram' as const, userId, name: ctx.from?.username ?? ctx.from?.first_name }
  const target = { provider: instance.provider, instanceId: instance.id, viewer: { telegramUserId: userId } }
  await ctx.answerCbQuery()
  try {
    if (payload.do === 'extend') {
      const timer = await ctx.services.timers.extend(target, payload.ms, actor)
      await ctx.reply(ctx.t('timer.extended', timerArgs(ctx, timer.instanceName, timer.stopAt)))
      return
    }
    const verbText = ctx.t('power.verbs.off')
    const message = await ctx.reply(ctx.t('progress.requested', { verb: verbText, instance: instance.name }))
    const record = await ctx.services.timers.stopNow(target, actor)
    await progress.track(record, { chatId: message.chat.id, messageId: message.message_id, verb: 'off', language: ctx.language })
  } catch (err) {
    await ctx.reply(ctx.t('timer.failed', { error: (err as Error).message }))
  }
}

/** `name`, `stopAt` and `left` of the `timer.*` texts. */
export function timerArgs (ctx: BotContext, name: string, stopAt: string): Record<string, string> {
  return { name, stopAt: formatTime(stopAt, ctx.timeZone), left: formatDuration(Math.max(0, Date.parse(stopAt) - ctx.services.now().getTime()), ctx.language) }
}

/** Resolve the argument; one match goes on to the confirmation, several become buttons. */
async function choose (ctx: BotContext, verb: Verb, query: string, command: string, stopAfterMs?: number): Promise<void> {
  const verbText = ctx.t(`power.verbs.${verb}`)
  const instances = visible(ctx)
  const caps = (i: Instance): ProviderCapabilities | undefined => ctx.services.aggregator.get(i.provider)?.provider.capabilities
  const fitting = (i: Instance): boolean => supports(verb, caps(i)) && stateFits(verb, i)
  const candidates = query ? matchInstances(instances, query) : instances.filter(fitting)
  if (candidates.length === 0) {
    await ctx.reply(query ? ctx.t('power.noMatch', { query }) : `${ctx.t('power.none', { verb: verbText })}\n${ctx.t('power.usage', { command })}`)
    return
  }
  if (candidates.length === 1) return await ask(ctx, verb, candidates[0]!, stopAfterMs)
  const shown = (candidates.some(fitting) ? candidates.filter(fitting) : candidates).slice(0, MAX_CHOICES)
  const buttons = await Promise.all(shown.map(i => ctx.services.buttons.button(`${instanceLabel(i)} (${i.provider})`, { do: 'pick', verb, provider: i.provider, instanceId: i.id, ...(stopAfterMs !== undefined ? { stopAfterMs } : {}) })))
  await ctx.reply(ctx.t('power.choose', { verb: verbText }), { reply_markup: keyboard(buttons) })
}

/** Check role, capability, state and GPUs, then ask for confirmation with what it costs. */
async function ask (ctx: BotContext, verb: Verb, instance: Instance, stopAfterMs?: number): Promise<void> {
  const { services } = ctx
  const userId = ctx.from!.id
  const verbText = ctx.t(`power.verbs.${verb}`)
  const entry = services.aggregator.get(instance.provider)
  if (!canAct(services, userId, instance.provider)) return void await ctx.reply(ctx.t('power.notOperator', { userId }))
  if (!supports(verb, entry?.provider.capabilities)) return void await ctx.reply(ctx.t('power.notSupported', { name: instance.name, type: entry?.type ?? '?', verb: verbText }))
  if (!stateFits(verb, instance)) {
    const state = instance.state === 'unknown' ? instance.providerState : ctx.t(`state.${instance.state}`)
    return void await ctx.reply(ctx.t('power.notFit', { name: instance.name, state, verb: verbText }))
  }
  const gpu = instance.gpu
  if (verb === 'on' && gpu?.hostIdle != null && !hasIdleGpus(instance)) {
    const buttons = []
    if (entry?.provider.capabilities.noGpuMode) buttons.push(await services.buttons.button(ctx.t('confirm.noGpuButton'), { do: 'pick', verb: 'nogpu', provider: instance.provider, instanceId: instance.id, ...(stopAfterMs !== undefined ? { stopAfterMs } : {}) }))
    buttons.push(await services.buttons.button(ctx.t('confirm.watchButton'), { do: 'watch', provider: instance.provider, instanceId: instance.id }))
    await ctx.reply(ctx.t('power.noGpu', { name: instance.name, idle: gpu.hostIdle, total: gpu.hostTotal ?? '?', requested: gpu.requested ?? 1 }), { reply_markup: keyboard([buttons]) })
    return
  }
  const timer = stopAfterMs === undefined ? undefined : stopTimerLine(stopAfterMs, services.now(), ctx.language, ctx.timeZone)
  const text = confirmationText(ctx.t, verb, instance, entry?.provider.capabilities, await services.budget.states(instance.provider), timer)
  const yes = await services.buttons.button(ctx.t('confirm.yes'), { do: 'confirm', verb, provider: instance.provider, instanceId: instance.id, userId, ...(stopAfterMs !== undefined ? { stopAfterMs } : {}) })
  const no = await services.buttons.button(ctx.t('confirm.no'), { do: 'cancel', userId })
  await ctx.reply(text, { reply_markup: keyboard([[yes, no]]) })
}
