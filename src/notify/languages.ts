import type { Keyv } from 'keyv'
import PQueue from 'p-queue'
import type { Language } from '../present/i18n.js'

/** What is known of one Telegram user's language. */
interface UserLanguage {
  /** Set with `/lang`. */
  chosen?: Language | undefined
  /** From the `language_code` of their last update. */
  seen?: Language | undefined
}

const KEY = 'users'

/** A Telegram `language_code` (IETF tag) as a language the host speaks: `zh*` → zh, anything else → en; none → null. */
export function languageFromCode (code: string | undefined | null): Language | null {
  if (!code) return null
  return code.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

/**
 * Each Telegram user's language (keyv namespace `languages`): the one they chose with `/lang`, else
 * the one their Telegram app reports (`language_code`, remembered from their last update so alerts to
 * their chat use it too), else the host's `telegram.language`. Kept across restarts.
 */
export class ChatLanguages {
  readonly #store: Keyv
  readonly #fallback: Language
  readonly #writes = new PQueue({ concurrency: 1 })
  #users: Map<number, UserLanguage> | null = null

  constructor (store: Keyv, fallback: Language) {
    this.#store = store
    this.#fallback = fallback
  }

  /** The language to speak to `userId` (a private chat's id is its user's id; a group falls back to the host's). */
  async get (userId: number): Promise<Language> {
    const user = (await this.#load()).get(userId)
    return user?.chosen ?? user?.seen ?? this.#fallback
  }

  /** What `userId` chose with `/lang`; null to forget it (back to their Telegram language). */
  async choose (userId: number, language: Language | null): Promise<void> {
    await this.#change(userId, { chosen: language ?? undefined })
  }

  /** Remember the language `userId`'s Telegram app reports; written only when it changed. */
  async seen (userId: number, code: string | undefined): Promise<void> {
    const language = languageFromCode(code)
    if (language === null || (await this.#load()).get(userId)?.seen === language) return
    await this.#change(userId, { seen: language })
  }

  async #load (): Promise<Map<number, UserLanguage>> {
    this.#users ??= new Map(Object.entries(await this.#store.get<Record<string, UserLanguage>>(KEY) ?? {}).map(([id, user]) => [Number(id), user]))
    return this.#users
  }

  async #change (userId: number, change: UserLanguage): Promise<void> {
    await this.#writes.add(async () => {
      const users = await this.#load()
      users.set(userId, { ...users.get(userId), ...change })
      await this.#store.set(KEY, Object.fromEntries(users))
    })
  }
}
