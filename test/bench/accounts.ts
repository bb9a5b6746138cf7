/** The bench's simulated AutoDL accounts, shared by the simulator process and the host's config. */

/** What the simulator process serves: `accounts` accounts of `perAccount` instances, each call after `latencyMs`, pages capped at `pageSizeCap`. */
export interface SimulatorSpec { accounts: number; perAccount: number; latencyMs: number; pageSizeCap: number }

/** Phone number of the bench's account `index`. */
export const benchPhone = (index: number): string => `139${String(index).padStart(8, '0')}`
export const BENCH_PASSWORD = 'bench-password'
