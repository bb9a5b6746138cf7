const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Replace `${NAME}` inside every string of `value` (at any depth) with the environment variable
 * `NAME`. `$${NAME}` stays as the literal text `${NAME}`. Unset variables are reported in `issues`
 * as `<path>: environment variable NAME is not set`.
 * @returns a new value; `value` is not modified.
 */
export function substituteEnv (value: unknown, env: NodeJS.ProcessEnv, issues: string[], path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, escape: string, name: string) => {
      if (escape) return whole.slice(1)
      const replacement = env[name]
      if (replacement === undefined) {
        issues.push(`${path || '(root)'}: environment variable ${name} is not set`)
        return ''
      }
      return replacement
    })
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, issues, `${path}[${i}]`))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, issues, path ? `${path}.${k}` : k)]))
  }
  return value
}
