import type { Instance } from '../core/instance.js'
import type { ProviderStatus } from '../core/snapshot.js'

/**
 * What the running instances cost per hour, in yuan: the sum of their `pricePerHour`. An estimate: a
 * running instance without a price counts 0, and AutoDL's no-GPU mode is billed at a lower price
 * that its list does not show (the GPU price is counted).
 */
export function runningCostPerHour (instances: readonly Instance[]): { yuanPerHour: number; running: number; unpriced: number } {
  let yuanPerHour = 0
  let running = 0
  let unpriced = 0
  for (const i of instances) {
    if (i.state !== 'running') continue
    running++
    if (i.pricePerHour === null) unpriced++
    else yuanPerHour += i.pricePerHour
  }
  return { yuanPerHour, running, unpriced }
}

/** The balance in yuan an entry last reported (`account.balanceYuan`), or null. */
export function balanceOf (status: Pick<ProviderStatus, 'account'> | undefined): number | null {
  const balance = status?.account?.['balanceYuan']
  return typeof balance === 'number' ? balance : null
}

/** Hours `balanceYuan` lasts at `yuanPerHour` (null when nothing is burning, 0 when nothing is left). */
export function hoursLeft (balanceYuan: number, yuanPerHour: number): number | null {
  if (balanceYuan <= 0) return 0
  return yuanPerHour > 0 ? balanceYuan / yuanPerHour : null
}
