/**
 * Wait until `check` holds, looking every 20 ms; throws naming `what` after `timeoutMs`. For what ends
 * asynchronously (a power-off, a takeover, an announcement), never for a time to assert.
 */
export async function until (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
