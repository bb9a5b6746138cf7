/** Turning JSON-schema (ajv) errors into lines a person can act on. */
import { Ajv, type ErrorObject } from 'ajv'
import addFormatsModule from 'ajv-formats'

const addFormats = addFormatsModule.default

const ARTICLE: Record<string, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean (true or false)',
  array: 'an array', object: 'an object', null: 'null'
}

/** `/providers/0/phone` → `providers[0].phone`. */
export function jsonPointerToPath (pointer: string, prefix = ''): string {
  let out = prefix
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(part) ? `[${part}]` : (out ? `.${part}` : part)
  }
  return out
}

/**
 * One `path: what is wrong` line per ajv error, e.g. `providers[0].phone: must be a string`,
 * `providers[0].foo: unknown key (allowed: id, type, phone, …)`.
 * @param prefix - path of the validated value inside the file, e.g. `providers[0]`.
 */
export function formatAjvErrors (errors: readonly ErrorObject[] | null | undefined, prefix = ''): string[] {
  const lines: string[] = []
  for (const e of errors ?? []) {
    // "if/then" bookkeeping and failed alternatives are explained by their own errorMessage.
    if (e.keyword === 'if' || /\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath)) continue
    const at = jsonPointerToPath(e.instancePath, prefix)
    const label = (p: string): string => p || '(root)'
    switch (e.keyword) {
      case 'required':
        lines.push(`${label(join(at, e.params['missingProperty'] as string))}: is required`)
        break
      case 'additionalProperties': {
        const allowed = Object.keys((e.parentSchema?.['properties'] as object | undefined) ?? {}).filter(k => k !== '$schema')
        lines.push(`${label(join(at, e.params['additionalProperty'] as string))}: unknown key${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`)
        break
      }
      case 'type': {
        const types = String(e.params['type']).split(',')
        lines.push(`${label(at)}: must be ${types.map(t => ARTICLE[t] ?? t).join(' or ')}`)
        break
      }
      case 'enum':
        lines.push(`${label(at)}: must be one of: ${(e.params['allowedValues'] as unknown[]).map(v => JSON.stringify(v)).join(', ')}`)
        break
      case 'format':
        lines.push(`${label(at)}: must be a valid ${String(e.params['format'])}`)
        break
      default:
        lines.push(`${label(at)}: ${e.message ?? e.keyword}`)
    }
  }
  return [...new Set(lines)]
}

/** An ajv instance for checking provider answers and provider output: first error only, formats on. */
export function createCheckAjv (options: { fastFormats?: boolean } = {}): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, allowUnionTypes: true })
  addFormats(ajv, { mode: options.fastFormats ? 'fast' : 'full' })
  return ajv
}

function join (path: string, key: string): string {
  return path ? `${path}.${key}` : key
}
