import type { Instance } from './instance.js'
import { canKeepAlive, type ProviderCapabilities } from './provider.js'

/** A power action as the bot and the page name it: power on with GPU, in no-GPU mode, off, keep alive. */
export type Verb = 'on' | 'nogpu' | 'off' | 'keepalive'

/** Can the provider do `verb` at all? */
export function supports (verb: Verb, caps: ProviderCapabilities | undefined): boolean {
  if (!caps) return false
  if (verb === 'on') return caps.powerOn
  if (verb === 'nogpu') return caps.powerOn && caps.noGpuMode
  if (verb === 'off') return caps.powerOff
  return canKeepAlive(caps)
}

/** Does the instance's state allow `verb` now? (The action's own checks decide on a fresh list.) */
export function stateFits (verb: Verb, i: Pick<Instance, 'state' | 'releaseAt'>): boolean {
  if (verb === 'on' || verb === 'nogpu') return i.state !== 'running' && i.state !== 'starting'
  if (verb === 'off') return i.state !== 'stopped' && i.state !== 'stopping' && i.state !== 'offline'
  return i.state === 'stopped' && i.releaseAt !== null
}
