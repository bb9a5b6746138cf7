import type { BotCommand } from 'telegraf/types'
import type { Translate } from '../../present/i18n.js'

/** The command menu, in the order `/help` lists it. */
export function commandList (t: Translate, accountsEnabled: boolean): BotCommand[] {
  const names = [
    'gpuvalid', 'status', 'on', 'nogpu', 'off', 'keepalive', 'watch', 'watches', 'unwatch', 'mute', 'unmute', 'audit',
    ...(accountsEnabled ? ['user', 'password', 'forget'] : []), 'help'
  ]
  return names.map(command => ({ command, description: t(`commands.${command}`) }))
}

/** The `/start` and `/help` text. */
export function helpText (t: Translate, accountsEnabled: boolean): string {
  const lines = [t('help.intro'), '', ...commandList(t, accountsEnabled).map(c => `/${c.command} — ${c.description}`)]
  if (!accountsEnabled) lines.push('', t('help.accountsOff'))
  return lines.join('\n')
}
