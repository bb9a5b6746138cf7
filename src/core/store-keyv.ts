import { Keyv } from 'keyv'
import { StoreError, isHostError } from './errors.js'

/**
 * A Keyv whose writes either are kept or reject with `StoreError`: keyv's default swallows an adapter's
 * error and answers `false`, which every caller would have to check.
 */
export class StoreKeyv extends Keyv {
  constructor (options: ConstructorParameters<typeof Keyv>[0]) {
    super({ ...options, throwOnErrors: true, emitErrors: false })
  }

  override async set (...args: Parameters<Keyv['set']>): Promise<boolean> {
    try { return await super.set(...args) } catch (err) { throw storeError(err) }
  }

  override async delete (...args: Parameters<Keyv['delete']>): Promise<boolean> {
    try { return await super.delete(...args) } catch (err) { throw storeError(err) }
  }
}

function storeError (err: unknown): StoreError {
  if (isHostError(err) && err.code === 'CW_ERR_STORE') return err as StoreError
  return new StoreError(`could not save the change to the state store (${(err as Error).message ?? String(err)}); nothing was changed`, { cause: err })
}
