import autocannon from 'autocannon';

/** What one load run measured. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Responses whose status was not the expected one. */
  unexpected: number;
  total: number;
}

/** Runs autocannon against one URL; fails the bench if any response has an unexpected status. */
export async function load(options: {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  expectStatus: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    headers: options.headers,
    connections: options.connections,
    duration: options.seconds,
    pipelining: 1,
  });
  const codes = result.statusCodeStats ?? {};
  const total = Object.values(codes).reduce((n, s) => n + (s.count ?? 0), 0);
  const expected = codes[String(options.expectStatus) as `${number}`]?.count ?? 0;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    unexpected: total - expected,
    total,
  };
}
