import { createHash } from 'node:crypto'

/**
 * The OneCloud client's transport helpers: Thunder OneCloud (玩客云) request signing, as JKerCloudMonitor implements it (reference/providers.md
 * §5.1–5.2, [SRC] wky/wky_interface.py, utils/user_utils.py). Lowercase hex MD5 throughout.
 */

export const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex')

/** `pwd` of the login: md5(password), its characters shuffled, md5 again (§5.1 `get_pwd`). */
export function onecloudPwd (password: string): string {
  const s = md5(password)
  const shuffled = s.slice(0, 2) + s[8] + s.slice(3, 8) + s[2] + s.slice(9, 17) + s[27] + s.slice(18, 27) + s[17] + s.slice(28)
  return md5(shuffled)
}

/** `GetSign(params, key)`: md5 of the sorted `k=v` pairs joined by `&`, then `&key=<key>` (§5.2). */
export function signBody (params: Record<string, string>, key = ''): string {
  const items = Object.entries(params).map(([k, v]) => `${k}=${v}`).sort()
  return md5(`${items.join('&')}&key=${key}`)
}

/** `getSignForGet(params, sessionid)`: as {@link signBody} with `X-LICENCE-PUB=1` among the pairs (§5.2). */
export function signQuery (params: Record<string, string>, sessionId: string): string {
  return signBody({ ...params, 'X-LICENCE-PUB': '1' }, sessionId)
}

/** `deviceid` and `imeiid` of the login: parts of md5(user), upper case (§5.1). */
export function deviceIds (user: string): { deviceid: string; imeiid: string } {
  const hash = md5(user).toUpperCase()
  return { deviceid: hash.slice(0, 16), imeiid: hash.slice(0, 15) }
}
