import type { TimerEvent } from '../../actions/timers.js'
import { formatDuration, formatTime } from '../../present/format.js'
import { defineRule } from '../rule.js'

/** Hours one press of [Extend] adds to a stop timer. */
export const EXTEND_HOURS = 1

/**
 * Stop timers (`/on <instance> for 3h`, `stopAfter`): `timer.warning` `alerts.stopTimerWarningMinutes`
 * before the time, with [Extend 1h] [Stop now]; `timer.stopped` when the timer powered the instance off;
 * `timer.failed` when it could not. In Telegram they go to the user who set the timer (else to the
 * rule's chats or the entry's readers). The timers themselves run in `src/actions/timers.ts`.
 */
export const timerRule = defineRule<{ stopTimerWarningMinutes: number }>({
  name: 'timer',
  events: ['timer.warning', 'timer.stopped', 'timer.failed'],
  config: { stopTimerWarningMinutes: { type: 'integer', minimum: 1, maximum: 120, default: 10 } },
  state: [],
  timerEvent (event: TimerEvent, ctx) {
    const { timer } = event
    const instance = ctx.aggregator.find(timer.provider, timer.instanceId) ?? null
    const base = { name: timer.instanceName, provider: timer.provider }
    const owner = timer.setBy.kind === 'telegram' ? { telegramUserIds: [timer.setBy.userId] } : {}
    const common = { rule: 'timer', provider: { id: timer.provider, type: ctx.aggregator.get(timer.provider)?.type ?? '' }, instance, ...owner }
    if (event.kind === 'warning') {
      const left = Date.parse(timer.stopAt) - ctx.now().getTime()
      ctx.emit({
        ...common,
        event: 'timer.warning',
        text: ctx.text('alert.timerWarning', lang => ({ ...base, left: formatDuration(Math.max(left, 0), lang), stopAt: formatTime(timer.stopAt, ctx.timeZone) })),
        buttons: [
          { label: ctx.text('alert.extendButton', () => ({ hours: EXTEND_HOURS })), payload: { do: 'extend', provider: timer.provider, instanceId: timer.instanceId, ms: EXTEND_HOURS * 3600_000 } },
          { label: ctx.text('alert.stopNowButton', () => ({})), payload: { do: 'stopnow', provider: timer.provider, instanceId: timer.instanceId } }
        ],
        data: { stopAt: timer.stopAt, setAt: timer.setAt }
      })
    } else if (event.kind === 'stopped') {
      ctx.emit({ ...common, event: 'timer.stopped', text: ctx.text('alert.timerStopped', () => base), data: { stopAt: timer.stopAt, actionId: event.record.id } })
    } else {
      ctx.emit({ ...common, event: 'timer.failed', text: ctx.text('alert.timerFailed', () => ({ ...base, error: event.error })), data: { stopAt: timer.stopAt, error: event.error } })
    }
  }
})
