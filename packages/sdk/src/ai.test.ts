import type { AiJob, Suggestion } from '@hivesync/core';
import { describe, expect, it } from 'vitest';
import { HiveSyncClient, HiveSyncError, JOB_POLL_RETRIES } from './index.js';
import { startServer } from './test/server.js';

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

type Answer = [status: number, body?: unknown, headers?: Record<string, string>];

/** A real HTTP server on 127.0.0.1 that records every request and answers with `route`. */
async function fakeServer(route: (req: Received) => Answer): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = await startServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: Received = {
        method: req.method ?? '',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        body: text ? JSON.parse(text) : undefined,
      };
      received.push(r);
      const [status, body, headers = {}] = route(r);
      res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  return { url: server.url, received };
}

const COMMIT = 'c'.repeat(40);
const PATCH =
  'diff --git a/src/a.ts b/src/a.ts\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1,2 @@\n+/** Adds. */\n export const a = 1;\n';

function suggestion(state: Suggestion['state'] = 'proposed'): Suggestion {
  return {
    id: 'sg1',
    job_id: 'j1',
    description: 'Document a',
    files: ['src/a.ts'],
    patch: PATCH,
    state,
    created_at: '2025-01-01T00:00:00.000Z',
    history: [],
  };
}

function job(status: AiJob['status'], extra: Partial<AiJob> = {}): AiJob {
  const final = status === 'completed' || status === 'failed';
  return {
    job_id: 'j1',
    project_id: 'p1',
    action: 'document_function',
    status,
    commit: COMMIT,
    path: 'src/a.ts',
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: status === 'queued' ? null : '2025-01-01T00:00:00.100Z',
    finished_at: final ? '2025-01-01T00:00:01.000Z' : null,
    error: null,
    result: null,
    suggestions: status === 'completed' ? [suggestion()] : [],
    ...extra,
  };
}

const envelope = (code: string, message: string, retryable = false) => ({
  error: { code, message, request_id: 'r1', retryable },
});

describe('ai', () => {
  it('sends each call to its endpoint with its query and body', async () => {
    const server = await fakeServer((req) => {
      if (req.path === '/api/v1/ai/capabilities') return [200, { provider: 'local', actions: ['document_function'] }];
      if (req.path.endsWith('/diff')) return [200, { from: COMMIT, to: COMMIT, files: [] }];
      if (req.path.startsWith('/api/v1/ai/suggestions/')) return [200, suggestion()];
      if (req.path === '/api/v1/ai/suggestions') return [200, { suggestions: [] }];
      if (req.path === '/api/v1/ai/jobs' && req.method === 'GET') return [200, { jobs: [] }];
      return [req.method === 'POST' ? 202 : 200, job('queued')];
    });
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const body = {
      project_id: 'p1',
      action: 'document_function' as const,
      path: 'src/a.ts',
      range: { start_line: 1, end_line: 2 },
    };
    expect(await client.ai.create(body)).toEqual(job('queued'));
    expect(await client.ai.list('p 1')).toEqual({ jobs: [] });
    await client.ai.list('p1', { limit: 20, cursor: 'abc' });
    expect(await client.ai.capabilities()).toEqual({ provider: 'local', actions: ['document_function'] });
    expect((await client.ai.suggestionDiff('sg1')).from).toBe(COMMIT);
    await client.ai.get('j/1');
    expect(await client.ai.suggestions('p1', { state: 'approved' })).toEqual({ suggestions: [] });
    await client.ai.suggestions('p1');
    expect(await client.ai.suggestion('sg1')).toEqual(suggestion());
    await client.ai.approve('sg1');
    await client.ai.reject('sg1');
    await client.ai.approve('sg1', { comment: 'Reads well.' });
    await client.ai.reject('sg1', { comment: 'No.' });
    await client.ai.markApplied('sg1');
    await client.ai.markReverted('s g1');

    expect(server.received.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
      ['POST', '/api/v1/ai/jobs', {}, body],
      ['GET', '/api/v1/ai/jobs', { project_id: 'p 1' }, undefined],
      ['GET', '/api/v1/ai/jobs', { project_id: 'p1', limit: '20', cursor: 'abc' }, undefined],
      ['GET', '/api/v1/ai/capabilities', {}, undefined],
      ['GET', '/api/v1/ai/suggestions/sg1/diff', {}, undefined],
      ['GET', '/api/v1/ai/jobs/j%2F1', {}, undefined],
      ['GET', '/api/v1/ai/suggestions', { project_id: 'p1', state: 'approved' }, undefined],
      ['GET', '/api/v1/ai/suggestions', { project_id: 'p1' }, undefined],
      ['GET', '/api/v1/ai/suggestions/sg1', {}, undefined],
      ['POST', '/api/v1/ai/suggestions/sg1/approve', {}, undefined],
      ['POST', '/api/v1/ai/suggestions/sg1/reject', {}, undefined],
      ['POST', '/api/v1/ai/suggestions/sg1/approve', {}, { comment: 'Reads well.' }],
      ['POST', '/api/v1/ai/suggestions/sg1/reject', {}, { comment: 'No.' }],
      ['POST', '/api/v1/ai/suggestions/sg1/applied', {}, undefined],
      ['POST', '/api/v1/ai/suggestions/s%20g1/reverted', {}, undefined],
    ]);
  });

  it('a move the state machine forbids is a 409 conflict HiveSyncError', async () => {
    const server = await fakeServer(() => [409, envelope('conflict', 'The suggestion is already applied.')]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    const err = await client.ai.approve('sg1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HiveSyncError);
    expect(err).toMatchObject({ code: 'conflict', status: 409, message: 'The suggestion is already applied.' });
  });

  it('waitForJob() polls until completed and reports each status once, in order', async () => {
    const answers: AiJob['status'][] = ['queued', 'queued', 'running', 'running', 'completed'];
    let polls = 0;
    const server = await fakeServer(() => [200, job(answers[Math.min(polls++, answers.length - 1)]!)]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const seen: string[] = [];

    const final = await client.ai.waitForJob('j1', { intervalMs: 5, onProgress: (j) => void seen.push(j.status) });

    expect(final).toEqual(job('completed'));
    expect(seen).toEqual(['queued', 'running', 'completed']);
    expect(polls).toBe(answers.length);
    expect(new Set(server.received.map((r) => `${r.method} ${r.path}`))).toEqual(new Set(['GET /api/v1/ai/jobs/j1']));
  });

  it('waitForJob() resolves with a failed job rather than throwing', async () => {
    const failed = job('failed', { error: { code: 'ai_provider_error', message: 'The provider is down.' } });
    const server = await fakeServer(() => [200, failed]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });

    expect(await client.ai.waitForJob('j1', { intervalMs: 5 })).toEqual(failed);
    expect(server.received).toHaveLength(1);
  });

  it('waitForJob() rides out a retryable failure, rejects on any other, and gives up after JOB_POLL_RETRIES', async () => {
    let polls = 0;
    const flaky = await fakeServer(() => {
      polls++;
      if (polls === 2) return [503, envelope('service_unavailable', 'Restarting.', true)];
      if (polls === 4) return [404, envelope('not_found', 'The job was not found.')];
      return [200, job('running')];
    });
    const seen: string[] = [];
    const err = await new HiveSyncClient({ baseUrl: flaky.url, accessToken: 'a1' }).ai
      .waitForJob('j1', { intervalMs: 5, onProgress: (j) => void seen.push(j.status) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not_found' });
    expect(polls).toBe(4);
    expect(seen).toEqual(['running']);

    const down = await fakeServer(() => [503, envelope('service_unavailable', 'Down.', true)]);
    const gaveUp = await new HiveSyncClient({ baseUrl: down.url, accessToken: 'a1' }).ai
      .waitForJob('j1', { intervalMs: 1 })
      .catch((e: unknown) => e);
    expect(gaveUp).toMatchObject({ code: 'service_unavailable' });
    expect(down.received).toHaveLength(1 + JOB_POLL_RETRIES);
  });

  it('waitForJob() rejects with the abort reason and stops polling when the signal aborts', async () => {
    const server = await fakeServer(() => [200, job('running')]);
    const client = new HiveSyncClient({ baseUrl: server.url, accessToken: 'a1' });
    const controller = new AbortController();

    const pending = client.ai.waitForJob('j1', {
      intervalMs: 10_000,
      signal: controller.signal,
      onProgress: () => setTimeout(() => controller.abort(), 10),
    });
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received).toHaveLength(1);
  });
});
