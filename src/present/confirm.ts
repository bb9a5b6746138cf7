import type { Instance } from '../core/instance.js'
import type { ProviderCapabilities } from '../core/provider.js'
import type { Verb } from '../core/verbs.js'
import { formatDuration, formatTime, formatYuan, instanceLabel } from './format.js'
import type { Language, Translate } from './i18n.js'

/**
 * What a power action does and costs, in the words of the bot's confirmation (`confirm.*` in the
 * catalogs): the GPU and price of a power-on, the no-GPU rate, the release a power-off starts. The bot's
 * confirm button and the page's confirm dialog (through `POST …/confirmations`) show the same text.
 */
/** A monthly budget as the confirmation shows it (`src/money/budget.ts`). */
export interface BudgetLine {
  /** `global`, or the entry's id. */
  scope: string
  month: string
  spentYuan: number
  limitYuan: number
}

/**
 * The confirmation. For power-ons: the stop timer asked for, if any (and what the run costs at the listed
 * price), and a line per budget that applies to the instance's entry (this month's observed cost of the
 * limit): a manual action is never refused by a budget, but says where it stands.
 */
export function confirmationText (t: Translate, verb: Verb, instance: Instance, capabilities: ProviderCapabilities | undefined, budgets: readonly BudgetLine[] = [], timer?: StopTimerLine): string {
  const text = actionText(t, verb, instance, capabilities)
  if (verb === 'off') return text
  const lines = timer && verb !== 'keepalive' ? [timerLine(t, verb, instance, timer)] : []
  lines.push(...budgets.map(b => t(b.scope === 'global' ? 'confirm.budget' : 'confirm.budgetEntry', {
    provider: b.scope, month: b.month, spent: formatYuan(b.spentYuan), limit: formatYuan(b.limitYuan), reached: b.spentYuan >= b.limitYuan ? t('confirm.budgetReached') : ''
  })))
  return [text, ...lines].join('\n')
}

/** A power-on's stop timer as the confirmation shows it: after how long, at what time (both formatted), and `ms`. */
export interface StopTimerLine {
  ms: number
  /** `3 h`, in the reader's language. */
  after: string
  /** The time it stops, in the host's zone. */
  at: string
}

/** The stop timer of a power-on asked at `now` for `ms`, as {@link confirmationText} takes it: in `language`, the time in `zone`. */
export function stopTimerLine (ms: number, now: Date, language: Language, zone: string | null): StopTimerLine {
  return { ms, after: formatDuration(ms, language), at: formatTime(new Date(now.getTime() + ms).toISOString(), zone) }
}

/** The stop timer line; with GPU and a listed price, what the run costs at that price. */
function timerLine (t: Translate, verb: Verb, instance: Instance, timer: StopTimerLine): string {
  const price = verb === 'on' ? instance.pricePerHour : null
  const cost = price ? t('confirm.stopAfterCost', { cost: formatYuan(price * timer.ms / 3600_000) }) : ''
  return t('confirm.stopAfter', { after: timer.after, at: timer.at, cost })
}

function actionText (t: Translate, verb: Verb, instance: Instance, capabilities: ProviderCapabilities | undefined): string {
  const label = instanceLabel(instance)
  const price = instance.pricePerHour?.toFixed(2)
  const gpu = instance.gpu
  const gpuText = gpu ? `${gpu.requested ?? '?'}× ${gpu.model ?? 'GPU'}` : '—'
  const releaseSeconds = capabilities?.releaseAfterStopSeconds
  if (verb === 'on') return t(price ? 'confirm.on' : 'confirm.onNoPrice', { instance: label, gpu: gpuText, price })
  if (verb === 'nogpu') return t(price ? 'confirm.nogpu' : 'confirm.nogpuNoPrice', { instance: label, price })
  if (verb === 'off') {
    return releaseSeconds
      ? t('confirm.off', { instance: label, release: t('confirm.releaseAfter', { days: Math.round(releaseSeconds / 86400) }) })
      : t('confirm.offNoRelease', { instance: label })
  }
  return t('confirm.keepalive', { instance: label })
}
