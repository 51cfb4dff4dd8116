import autocannon from 'autocannon'

/** Clients in flight at all times, each on its own keep-alive connection. */
export const LOAD_CONNECTIONS = 50
const WARMUP_SECONDS = 2
const MEASURE_SECONDS = 5

export type LoadResult = {
  /** Mean requests answered per second over the measured window. */
  requestsPerSecond: number
  /** 99th percentile of the time from sending a request to its whole answer, in ms. */
  p99Ms: number
}

export type LoadRequest = { url: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }

/**
 * Puts LOAD_CONNECTIONS concurrent clients (autocannon, in this process) on one request for a
 * warm-up, then measures for MEASURE_SECONDS. Any answer other than 2xx, or any connection
 * error, fails the measurement: a fast stream of errors is not a throughput.
 *
 * @example
 * const { requestsPerSecond, p99Ms } = await measureLoad({ url: `${host.url}/health` })
 */
export async function measureLoad(request: LoadRequest): Promise<LoadResult> {
  const run = async (seconds: number) => {
    const result = await autocannon({
      url: request.url,
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
      connections: LOAD_CONNECTIONS,
      duration: seconds,
    })
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(
        `${request.method ?? 'GET'} ${request.url} under load: ${result.non2xx} answers other than 2xx and ${result.errors} errors (${result.timeouts} timeouts) out of ${result.requests.total}`,
      )
    }
    return result
  }
  await run(WARMUP_SECONDS)
  const result = await run(MEASURE_SECONDS)
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99 }
}
