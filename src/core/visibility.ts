/**
 * Who may see what — the one rule every surface applies (the aggregated view, mutes, the audit log,
 * action records, watches, alerts and their channels, webhooks, `/metrics`, the status API and page).
 *
 * A provider entry configured in the config file is seen by everyone the surface lets in. An account a
 * Telegram user added through the bot (entry id `tg-<userId>`) is that user's alone: no other bot user,
 * no operator, no API key, no webhook and no scrape sees it or anything about it. A thing that may not
 * be seen answers as if it did not exist (404, absent from lists).
 */

/** Entry ids of accounts added through the chat start with this; config entry ids may not. */
export const CHAT_ACCOUNT_PREFIX = 'tg-'

/**
 * Who is looking: one Telegram user (`telegramUserId`), or — for the status API with any key, the web
 * page, `/metrics` and webhooks — nobody in particular ({@link PUBLIC_VIEWER}). Being an operator is a
 * right to act on configured entries, not to see other users' accounts.
 */
export interface Viewer {
  /** The Telegram user; undefined for the public surfaces. */
  telegramUserId?: number | undefined
}

/** The viewer of every surface that is not one Telegram user. */
export const PUBLIC_VIEWER: Viewer = Object.freeze({})

/** The provider entry id of a chat user's own account. */
export function accountEntryId (userId: number): string {
  return `${CHAT_ACCOUNT_PREFIX}${userId}`
}

/**
 * The Telegram user who owns the entry, or undefined for a configured entry. An entry id with the
 * chat prefix but no valid user id belongs to nobody (-1: hidden from everyone).
 */
export function entryOwner (providerId: string): number | undefined {
  if (!providerId.startsWith(CHAT_ACCOUNT_PREFIX)) return undefined
  const rest = providerId.slice(CHAT_ACCOUNT_PREFIX.length)
  return /^\d{1,15}$/.test(rest) ? Number(rest) : -1
}

/** May `viewer` see the provider entry `providerId` and everything about it? */
export function canSee (viewer: Viewer, providerId: string): boolean {
  const owner = entryOwner(providerId)
  return owner === undefined || owner === viewer.telegramUserId
}
