import type { ChannelConfig, ChannelTypeDeclaration } from '../config/schema.js'
import type { Channel } from './alert.js'
import { EmailChannel, emailChannelType, type EmailOptions } from './email.js'
import { PushChannel, type ChannelRuntime } from './push/channel.js'
import { PUSH_VENDORS } from './push/index.js'

/** Every `notify.channels[].type`: e-mail and the push services; handed to the config by the composition root. */
export const CHANNEL_TYPES: readonly ChannelTypeDeclaration[] = [emailChannelType, ...PUSH_VENDORS]

/** The channel a `notify.channels[]` entry describes. */
export function createChannel (config: ChannelConfig, runtime: ChannelRuntime): Channel {
  if (config.type === 'email') return new EmailChannel(config, runtime)
  const vendor = PUSH_VENDORS.find(v => v.type === config.type)
  if (!vendor) throw new Error(`no channel type "${config.type}"`)
  return new PushChannel(config, vendor, runtime)
}

/** The option values of a channel that are secrets (keys, tokens, the SMTP password), to scrub from every output. */
export function channelSecrets (config: ChannelConfig): Array<string | null | undefined> {
  if (config.type === 'email') {
    const o = config.options as unknown as EmailOptions
    return [o.password]
  }
  return PUSH_VENDORS.find(v => v.type === config.type)?.secrets(config.options) ?? []
}
