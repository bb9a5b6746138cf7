import { defineRule } from '../rule.js'

/** `action.finished`: every power action that ended, for webhooks (what it was, on what, how it ended; the record in `data`). */
export const actionRule = defineRule({
  name: 'action',
  events: ['action.finished'],
  state: [],
  actionFinished (record, ctx) {
    const args = { kind: record.kind, name: record.instanceName, provider: record.provider, status: record.status }
    ctx.emit({
      event: 'action.finished', rule: 'action', provider: { id: record.provider, type: ctx.aggregator.get(record.provider)?.type ?? '' }, instance: null,
      text: ctx.text('alert.actionFinished', () => args),
      telegramUserIds: [],
      data: { action: record }
    })
  }
})
