import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, eventually, startTestServer, type TestServer } from '../test/harness.js';

describe('Prometheus metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backends()[0]!);
  });
  afterAll(() => server?.stop());

  const scrape = async () => (await server.request({ method: 'GET', url: '/metrics' })).body;

  it('exposes request latency by route pattern, jobs by queue and outcome, queue depth and open streams', async () => {
    await server.request({ method: 'GET', url: '/api/v1/projects/some-id', token: server.admin.token });
    const canary = await server.request({
      method: 'POST',
      url: '/api/v1/admin/canary',
      token: server.admin.token,
      body: {},
    });
    await eventually(async () => {
      const c = await server.request({
        method: 'GET',
        url: `/api/v1/admin/canary/${canary.json().canary_id}`,
        token: server.admin.token,
      });
      return c.json().status === 'completed';
    });
    const text = await eventually(async () => {
      const t = await scrape();
      return t.includes('hivesync_jobs_total{queue="system-canary",outcome="completed"') && t;
    });
    expect(text).toMatch(
      /hivesync_http_request_duration_seconds_bucket\{[^}]*method="GET",route="\/api\/v1\/projects\/:id",status="404"/,
    );
    expect(text).not.toContain('route="/api/v1/projects/some-id"');
    expect(text).toMatch(
      /hivesync_job_duration_seconds_count\{[^}]*queue="system-canary",outcome="completed"[^}]*\} 1/,
    );
    expect(text).toMatch(/hivesync_queue_jobs\{queue="system-canary",state="queued"[^}]*\} 0/);
    expect(text).toMatch(/hivesync_event_streams_open\{role="all"\} 0/);
    expect(text).toContain('hivesync_process_resident_memory_bytes');
  });
});
