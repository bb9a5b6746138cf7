import i18next, { type TFunction } from 'i18next'
import { en } from './locales/en.js'
import { zh } from './locales/zh.js'

export type Language = 'zh' | 'en'
export type Translate = TFunction

/**
 * A translate function for `language` over the host's message catalogs (bot, alerts, notifications) (`locales/zh.ts`, `locales/en.ts`).
 * Plain text output: interpolation does not HTML-escape (messages are sent without parse_mode).
 */
export async function createTranslator (language: Language): Promise<Translate> {
  const instance = i18next.createInstance()
  await instance.init({
    lng: language,
    fallbackLng: 'zh',
    resources: { zh: { translation: zh }, en: { translation: en } },
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false
  } as Parameters<typeof instance.init>[0])
  return instance.getFixedT(language)
}
