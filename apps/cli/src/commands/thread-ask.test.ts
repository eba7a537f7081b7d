import type { AiJob, Comment, Thread } from '@hivesync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onRequest, sendJson, startFakeApi, type FakeApi } from '../test/fake-api.js';
import { runInProcess } from '../test/run-in-process.js';

const DEMO = 'p-demo';
const C1 = '1'.repeat(40);
let fake: FakeApi;
let requests: { method: string; path: string; body: unknown }[];
let jobStatus: AiJob['status'];

const answer: Comment = {
  comment_id: 'c2',
  thread_id: 't1',
  author_id: null,
  author_name: 'HiveSync AI',
  ai: true,
  body: '**Explain this**\n\n**`load`** — function at src/a.ts:3',
  created_at: new Date().toISOString(),
  edited_at: null,
  deleted: false,
};

const thread: Thread = {
  thread_id: 't1',
  project_id: DEMO,
  state: 'open',
  anchor: { path: 'src/a.ts', commit: C1, start_line: 3, end_line: 4, text: 'x', symbol: null },
  position: { commit: C1, path: 'src/a.ts', start_line: 3, end_line: 4, status: 'current', reason: null },
  created_by: 'u1',
  created_at: '2025-01-01T00:00:00.000Z',
  resolved_at: null,
  comment_count: 2,
  comments: [{ ...answer, comment_id: 'c1', author_id: 'u1', author_name: 'Alice', ai: false, body: 'Why?' }, answer],
};

function job(action: AiJob['action'], status: AiJob['status']): AiJob {
  return {
    job_id: 'j1',
    project_id: DEMO,
    action,
    status,
    commit: C1,
    path: 'src/a.ts',
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    error: status === 'failed' ? { code: 'ai_provider_error', message: 'the model service answered 503' } : null,
    result: null,
    thread_id: 't1',
    suggestions: [],
  };
}

beforeEach(async () => {
  requests = [];
  jobStatus = 'completed';
  fake = await startFakeApi(
    onRequest((seen, res) => {
      const path = seen.path.replace('/api/v1', '');
      requests.push({ method: seen.method, path, body: seen.body });
      const key = `${seen.method} ${path}`;
      if (key === 'GET /threads/t1') return sendJson(res, 200, thread);
      if (key === `POST /projects/${DEMO}/threads/t1/ai`) {
        const action = (seen.body as { action: AiJob['action'] }).action;
        return sendJson(res, 202, job(action, 'queued'));
      }
      if (key === 'GET /ai/jobs/j1') return sendJson(res, 200, job('explain', jobStatus));
      return sendJson(res, 404, { error: { code: 'not_found', message: 'Not found.', request_id: 'r1' } });
    }),
    { credentials: { email: 'alice@example.test' } },
  );
});

afterEach(() => fake.stop());

const cli = (args: string[]) => runInProcess([...args, '--server', fake.url], { configHome: fake.dir });

describe('threads ask', () => {
  it('explain: asks, waits for the job and prints the answer the assistant posted', async () => {
    const r = await cli(['threads', 'ask', 't1', 'explain']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('HiveSync AI');
    expect(r.out).toContain('**`load`** — function at src/a.ts:3');
    expect(requests.find((q) => q.method === 'POST')).toEqual({
      method: 'POST',
      path: `/projects/${DEMO}/threads/t1/ai`,
      body: { action: 'explain' },
    });
  });

  it('fix --no-wait sends suggest_fix and returns with the queued job', async () => {
    const r = await cli(['threads', 'ask', 't1', 'fix', '--no-wait']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Asked the assistant (AI job j1)');
    expect(requests.find((q) => q.method === 'POST')?.body).toEqual({ action: 'suggest_fix' });
    expect(requests.some((q) => q.path === '/ai/jobs/j1')).toBe(false);
  });

  it('a question it does not know is a usage error (exit 2), sent nowhere', async () => {
    const r = await cli(['threads', 'ask', 't1', 'poem']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('ask explain or fix, not "poem"');
    expect(requests).toEqual([]);
  });

  it('a failed job prints its error and exits 1', async () => {
    jobStatus = 'failed';
    const r = await cli(['threads', 'ask', 't1', 'explain']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('AI job j1 failed: ai_provider_error: the model service answered 503');
  });
});
