// autocannon ships no types; only what the benchmark uses.
declare module 'autocannon' {
  interface Result {
    requests: { average: number; total: number }
    latency: { p50: number; p99: number; average: number }
    errors: number
    non2xx: number
  }
  function autocannon (options: { url: string; connections?: number; duration?: number; headers?: Record<string, string> }): Promise<Result>
  export default autocannon
}
