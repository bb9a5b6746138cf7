import { bark } from './bark.js'
import { dingtalk } from './dingtalk.js'
import { feishu } from './feishu.js'
import { ntfy } from './ntfy.js'
import { pushplus } from './pushplus.js'
import { serverchan } from './serverchan.js'
import type { PushVendor } from './vendor.js'
import { wecom } from './wecom.js'

/** Every push service `notify.channels[].type` may name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PUSH_VENDORS: ReadonlyArray<PushVendor<any>> = [wecom, feishu, dingtalk, serverchan, pushplus, bark, ntfy]
