import t from 'tap'
import { BOT_COMMANDS } from '../../src/bot/index.js'
import { commandMenu, helpKey, helpText } from '../../src/bot/commands/registry.js'
import { createTranslator } from '../../src/present/i18n.js'

t.test('one registry: unique names, a menu line in both languages, an audience for each command', async t => {
  const names = BOT_COMMANDS.map(c => c.name)
  t.same(names, [...new Set(names)], 'no command twice')
  for (const language of ['zh', 'en'] as const) {
    const tr = await createTranslator(language)
    for (const c of BOT_COMMANDS) t.not(tr(helpKey(c)), helpKey(c), `${language}: ${helpKey(c)}`)
  }
  t.same(BOT_COMMANDS.filter(c => c.who === 'operator').map(c => c.name), ['audit'])
  t.same(BOT_COMMANDS.filter(c => c.who === 'actor').map(c => c.name), ['on', 'nogpu', 'off', 'keepalive', 'mute', 'unmute'])
})

t.test('the menu and /help are generated from the registry', async t => {
  const en = await createTranslator('en')
  t.same(commandMenu(BOT_COMMANDS, en, true).map(c => c.command), BOT_COMMANDS.map(c => c.name))
  t.same(commandMenu(BOT_COMMANDS, en, false).map(c => c.command), BOT_COMMANDS.filter(c => !c.needsAccounts).map(c => c.name), 'account commands only when accounts are on')
  const help = helpText(BOT_COMMANDS, en, false)
  for (const c of BOT_COMMANDS.filter(c => !c.needsAccounts)) t.match(help, `/${c.name} — ${en(helpKey(c))}`)
  t.notMatch(help, '/password —')
  t.match(help, en('help.accountsOff'))
})
