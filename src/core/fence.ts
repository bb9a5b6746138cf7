import { StoreError } from './errors.js'
import type { RedisCommands, WriteFence } from './store-types.js'

/** Set a key (KEYS[2]) only while the fence (KEYS[1]) is still this token (ARGV[1]); -1 when refused. */
const FENCED_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if ARGV[3] == '' then redis.call('SET', KEYS[2], ARGV[2]) else redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
return 1`
/** Delete a key only while the fence is still this token; -1 when refused, else how many keys went. */
const FENCED_DELETE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
return redis.call('DEL', KEYS[2])`

/** What a fenced write does: set a value (with an expiry, milliseconds), or delete the key. */
export type FencedOperation = { set: string; ttlMs?: number | undefined } | 'delete'

/**
 * Write `key` only while `fence`'s token is the current fence, in one Lua script that Redis runs
 * atomically: a deposed leader's write is refused, and the fence hears of it ({@link WriteFence.refused}).
 * The one fenced write of the host: the store's namespaces (`src/core/redis-store.ts`) and the published
 * snapshot (`LeaderLease.fencedSet`) both go through it.
 * @returns 1 for a set; for a delete, how many keys were deleted.
 * @throws StoreError when this host holds no token (it does not lead), or Redis refused the write.
 */
export async function fencedWrite (redis: Pick<RedisCommands, 'eval'>, fence: WriteFence, key: string, operation: FencedOperation): Promise<number> {
  const token = fence.token
  if (token === null) throw notLeader()
  const [script, args] = operation === 'delete'
    ? [FENCED_DELETE, []]
    : [FENCED_SET, [operation.set, operation.ttlMs ? String(operation.ttlMs) : '']]
  const done = Number(await redis.eval(script, { keys: [fence.fenceKey, key], arguments: [String(token), ...args] }))
  if (done === -1) {
    fence.refused()
    throw new StoreError(`not written: the fencing token ${token} is stale, another host leads now; this host steps down`)
  }
  return done
}

/** A write asked of a host that holds no fencing token. */
export function notLeader (): StoreError {
  return new StoreError('not written: this host is not the leader (replicas on Redis: only the leader changes state; ask the leader)')
}
