import { createHash } from 'node:crypto'

/**
 * The server side of Thunder OneCloud's request signing, written for the simulator on its own — not
 * borrowed from the provider, so a provider bug cannot hide behind the same bug in its simulator. The
 * shared truth is the request captured in seed 004 (`GET /listPeer?…&sign=1fbb8735…`, checked by
 * `test/demo/onecloud-signing.test.ts`) and JKerCloudMonitor's `wky/wky_interface.py` (`GetSign`,
 * `getSignForGet`) and `utils/user_utils.py` (`get_pwd`).
 */

const hex = (text: string): string => createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex')

/** What a client must send as `sign`: md5 over `k=v` pairs in byte order, `&`-joined, then `&key=<key>`. */
export function expectedSign (pairs: Readonly<Record<string, string>>, key: string): string {
  const joined = Object.keys(pairs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(k => `${k}=${pairs[k]}`).join('&')
  return hex(`${joined}&key=${key}`)
}

/** `sign` of `GET /listPeer`: the query's own pairs plus `X-LICENCE-PUB=1`, keyed with the session id. */
export function expectedQuerySign (query: Readonly<Record<string, string>>, sessionId: string): string {
  return expectedSign({ ...query, 'X-LICENCE-PUB': '1' }, sessionId)
}

/**
 * The `pwd` the login carries for `password`: md5 of it, then positions 2↔8 and 17↔27 of that hex
 * string swapped, then md5 again (`get_pwd`).
 */
export function expectedPwd (password: string): string {
  const chars = [...hex(password)]
  for (const [a, b] of [[2, 8], [17, 27]] as const) [chars[a], chars[b]] = [chars[b]!, chars[a]!]
  return hex(chars.join(''))
}

/** `deviceid` (16) and `imeiid` (15): the leading characters of md5(user) in upper case. */
export function expectedDeviceIds (user: string): { deviceid: string; imeiid: string } {
  const upper = hex(user).toUpperCase()
  return { deviceid: upper.substring(0, 16), imeiid: upper.substring(0, 15) }
}
