import { randomBytes } from 'node:crypto'
import { expectedDeviceIds, expectedPwd, expectedQuerySign, expectedSign } from './signing.js'
import { createSimKit, type Fault, type SeenRequest } from '../kit.js'

export interface OnecloudSimulatorOptions {
  accounts: Array<{ user: string; password: string; userid: string; devices: object[] }>
}

export interface OnecloudSimulator {
  /** One origin serves both the account and the control host. */
  url: string
  stats: { logins: number; failedLogins: number; requests: Record<string, number> }
  requests: SeenRequest[]
  /** Invalidate every session (listPeer then answers rtn 11). */
  expireSessions (): void
  inject (route: string, fault: Fault, times?: number): void
  close (): Promise<void>
}

/**
 * A local Thunder OneCloud API as eastmoon1117/JKerCloudMonitor uses it (`wky/wky_interface.py`; seed 004): `POST
 * /user/login?appversion=` (form; `pwd` and `sign` are checked, `deviceid`/`imeiid` must match the user;
 * success `iRet: 0` plus `sessionid`/`userid` cookies) and `GET /listPeer` (query `sign` over
 * appversion/ct/userid/v with the session id, cookies required; `{rtn: 0, result: [0, {devices}]}`).
 * What an expired session answers is not documented; here `{rtn: 11, msg}` [GUESS].
 */
export async function startOnecloudSimulator (options: OnecloudSimulatorOptions): Promise<OnecloudSimulator> {
  const kit = createSimKit()
  const { app } = kit
  const stats = { logins: 0, failedLogins: 0, requests: kit.counts }
  const sessions = new Map<string, { userid: string; valid: boolean }>()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))))
  })

  app.post('/user/login', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, string>
    const { sign, ...params } = form
    const user = form['phone'] ?? form['mail'] ?? ''
    const account = options.accounts.find(a => a.user === user)
    const ids = expectedDeviceIds(user)
    const wellFormed = typeof request.query === 'object' && (request.query as { appversion?: string }).appversion && sign === expectedSign(params, '') &&
      params['deviceid'] === ids.deviceid && params['imeiid'] === ids.imeiid && params['account_type'] === (form['mail'] ? '5' : '4')
    if (!wellFormed) return { iRet: -1, sMsg: '参数错误' } // [GUESS]
    if (!account || params['pwd'] !== expectedPwd(account.password)) {
      stats.failedLogins++
      return { iRet: 1, sMsg: '账号或密码错误' } // [GUESS]
    }
    const sessionid = randomBytes(16).toString('hex')
    sessions.set(sessionid, { userid: account.userid, valid: true })
    stats.logins++
    return await reply
      .header('set-cookie', [`sessionid=${sessionid}; Path=/; HttpOnly`, `userid=${account.userid}; Path=/`])
      .send({ iRet: 0, sMsg: 'success', data: { userid: account.userid } })
  })

  app.get('/listPeer', async (request) => {
    const q = request.query as Record<string, string>
    const cookies = Object.fromEntries(String(request.headers.cookie ?? '').split(';').map(c => c.trim().split('=')))
    const session = sessions.get(cookies['sessionid'] ?? '')
    if (!session || !session.valid || cookies['userid'] !== session.userid) return { rtn: 11, msg: '登录已失效' } // [GUESS]
    const expected = expectedQuerySign({ appversion: q['appversion'] ?? '', ct: q['ct'] ?? '', userid: q['userid'] ?? '', v: q['v'] ?? '' }, cookies['sessionid']!)
    if (q['X-LICENCE-PUB'] !== '1' || q['sign'] !== expected || q['userid'] !== session.userid) return { rtn: 2, msg: 'sign error' } // [GUESS]
    const account = options.accounts.find(a => a.userid === session.userid)!
    return { rtn: 0, result: [0, { global_appearance: 1, devices: account.devices }] }
  })

  const url = await kit.listen()
  return {
    url,
    stats,
    requests: kit.requests,
    expireSessions: () => { for (const s of sessions.values()) s.valid = false },
    inject: kit.inject,
    close: kit.close
  }
}

/**
 * The README's device (seed 004), online, and an offline one. With `now`, their connect and disconnect
 * times are recent (the demo); without, the README's own (2019) times.
 */
export function onecloudSampleDevices (now?: Date): object[] {
  const unix = (agoSeconds: number, fixed: number): number => now ? Math.floor(now.getTime() / 1000) - agoSeconds : fixed
  const readme = {
    imported: '20180519', device_sn: 'OCPG121196469', licence: 'T0NQRzEyMTE5NjQ2OS9taXVfNTQ1ODExNC8xNTI2OTA0NzQ1', coturn_online: 1,
    ip_info: { country: '中国', city: '杭州市', isp: '电信', province: '浙江省' }, status: 'online', exception_name: '', hardware_model: 'WS1608',
    area_code: 'CN', ip: '198.51.100.23', features: { miner: 0, onecloud_coin: 1526904760 }, device_type: 'OneCloud', exception_message: '',
    system_version: 'V1.7.2', lan_ip: '192.168.31.213', disconnect_time: unix(7 * 3600, 1546440107), upgradeable: false, account_type: 'miu',
    device_name: 'eastmoon6469', is_exp: false, account_name: '', bind_time: 1526904745, connect_time: unix(6 * 3600, 1546440118),
    peerid: '00226D5A5A74889X0030', mac_address: '00:22:6D:5A:xx:xx', broker_id: 226568, account_id: '5458114', product_id: 412,
    system_name: '挖矿固件', type: 0
  }
  return [
    readme,
    { ...readme, device_sn: 'OCPG121199999', peerid: '00226D5A5A74889X0099', device_name: 'garage-box', status: 'offline', ip: '198.51.100.99',
      licence: 'T0NQRzEyMTE5OTk5OS9taXVfNTQ1ODExNA', disconnect_time: unix(2 * 3600, 1546449999), connect_time: unix(30 * 3600, 1546400000), ip_info: { province: '广东省' } },
    { ...readme, device_sn: 'OCPG1211EXC', peerid: '', device_name: '', status: 'exception', licence: 'T0NQRzEyMTFFWEM' }
  ]
}
