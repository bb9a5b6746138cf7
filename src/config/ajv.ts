import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import ajvErrorsModule from 'ajv-errors'

const addFormats = addFormatsModule.default
const ajvErrors = ajvErrorsModule.default

/** An ajv instance for configuration: all errors, defaults filled in, ajv-errors messages, formats. */
export function createConfigAjv (): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true })
  addFormats(ajv)
  ajvErrors(ajv)
  return ajv
}
