/** Checks of config values that a JSON schema cannot express. */

/** Deepest nesting a config file may have; real files are 4–5 levels deep. */
export const MAX_CONFIG_DEPTH = 32

/**
 * How deeply `value` nests objects and arrays (a scalar: 0), counted without recursion, so a hostile
 * file cannot overflow the stack; stops counting past `limit`.
 */
export function nestingDepth (value: unknown, limit = MAX_CONFIG_DEPTH + 1): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!
    if (item === null || typeof item !== 'object') continue
    if (depth + 1 > deepest) deepest = depth + 1
    if (deepest >= limit) return deepest
    for (const child of Object.values(item)) stack.push([child, depth + 1])
  }
  return deepest
}

/** Keys whose string values are URLs: `baseUrl`, `url`, `proxy`, `apiRoot`, `accountBaseUrl`, … */
const URL_KEY = /(^|[a-z])(url|Url|URL|proxy|Proxy|apiRoot)$/

/**
 * Every URL-valued string (by its key, see {@link URL_KEY}, and the `redis://` store) that does not parse
 * as a URL with a host: `http://[::1:7890`, `http://`, a port above 65535. The JSON schema only checks
 * a pattern; the host would fail later, at its first request. Credentials in a URL are not repeated.
 */
export function urlProblems (config: unknown, prefix = ''): string[] {
  const problems: string[] = []
  const visit = (value: unknown, path: string, key: string): void => {
    if (typeof value === 'string') {
      const isUrl = URL_KEY.test(key) || (key === 'store' && /^rediss?:/.test(value))
      if (isUrl && value !== '') {
        const problem = urlProblem(value)
        if (problem) problems.push(`${path}: "${hideCredentials(value)}" ${problem}`)
      }
      return
    }
    if (value === null || typeof value !== 'object') return
    for (const [k, v] of Object.entries(value)) visit(v, Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k, Array.isArray(value) ? key : k)
  }
  if (nestingDepth(config) <= MAX_CONFIG_DEPTH) visit(config, prefix, '')
  return problems
}

function urlProblem (text: string): string | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'is not a valid URL (check brackets, the port (at most 65535) and the scheme)'
  }
  if (url.hostname === '') return 'has no host'
  return null
}

function hideCredentials (text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@')
}
