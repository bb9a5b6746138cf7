import type { Translate } from '../present/i18n.js'
import type { Alert } from './alert.js'

/** A group of alerts as one message: its title, and its text (one line per alert). */
export interface GroupMessage {
  title: string
  text: string
}

/** `text` as UTF-8 bytes. */
const bytes = (text: string): number => Buffer.byteLength(text)

/**
 * The message for alerts of one rule and event raised together (Alertmanager-style grouping): one
 * alert is its own text under the event's title; several are one `• ` line each under
 * "<title> (<count>)". With `maxBytes`, lines that do not fit give way to "…and N more".
 * @param t the channel's language.
 */
export function groupMessage (alerts: readonly Alert[], t: Translate, language: 'zh' | 'en', maxBytes = Infinity): GroupMessage {
  const first = alerts[0]
  if (first === undefined) throw new Error('an alert group is never empty')
  const title = t(`events.${first.event}`, { defaultValue: first.event })
  if (alerts.length === 1) return { title, text: first.text[language] }
  const lines: string[] = []
  let used = 0
  for (const [index, alert] of alerts.entries()) {
    const line = `• ${alert.text[language]}`
    const left = alerts.length - index - 1
    const tail = left > 0 ? bytes(`\n${t('group.more', { count: left })}`) : 0
    if (used + bytes(line) + 1 + tail > maxBytes && lines.length > 0) {
      lines.push(t('group.more', { count: alerts.length - index }))
      break
    }
    lines.push(line)
    used += bytes(line) + 1
  }
  return { title: t('group.title', { title, count: alerts.length }), text: lines.join('\n') }
}
