import type { Instance } from '../core/instance.js'
import type { ProviderCapabilities } from '../core/provider.js'
import type { Verb } from '../core/verbs.js'
import { instanceLabel } from './format.js'
import type { Translate } from './i18n.js'

/**
 * What a power action does and costs, in the words of the bot's confirmation (`confirm.*` in the
 * catalogs): the GPU and price of a power-on, the no-GPU rate, the release a power-off starts. The bot's
 * confirm button and the page's confirm dialog (through `POST …/confirmations`) show the same text.
 */
export function confirmationText (t: Translate, verb: Verb, instance: Instance, capabilities: ProviderCapabilities | undefined): string {
  const label = instanceLabel(instance)
  const price = instance.pricePerHour?.toFixed(2)
  const gpu = instance.gpu
  const gpuText = gpu ? `${gpu.requested ?? '?'}× ${gpu.model ?? 'GPU'}` : '—'
  const releaseSeconds = capabilities?.releaseAfterStopSeconds
  if (verb === 'on') return t(price ? 'confirm.on' : 'confirm.onNoPrice', { instance: label, gpu: gpuText, price })
  if (verb === 'nogpu') return t(price ? 'confirm.nogpu' : 'confirm.nogpuNoPrice', { instance: label, price })
  if (verb === 'off') {
    return releaseSeconds
      ? t('confirm.off', { instance: label, release: t('confirm.releaseAfter', { days: Math.round(releaseSeconds / 86400) }) })
      : t('confirm.offNoRelease', { instance: label })
  }
  return t('confirm.keepalive', { instance: label })
}
