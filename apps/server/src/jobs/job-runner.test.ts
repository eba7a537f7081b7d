import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../test/harness.js';
import { makeRepo } from '../test/git-fixtures.js';
import type { HeartbeatStore } from '../infra/heartbeats.js';

describe.each(backends())('job runner on $name', (backend) => {
  let server: TestServer;
  const work = tempDir('hivesync-runner-');
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let projectId: string;
  const logLines: string[] = [];
  const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token: owner.token, body });

  beforeAll(async () => {
    server = await startTestServer(
      backend,
      {
        HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
        HIVESYNC_SYNC_RETRY_LIMIT: '1',
        HIVESYNC_SYNC_RETRY_DELAY_SECONDS: '0',
        HIVESYNC_LOG_LEVEL: 'info',
      },
      { logLines },
    );
    owner = await registerUser(server);
    const remote = makeRepo(path.join(work.dir, 'remote'), { 'a.ts': 'export const a = 1;\n' });
    projectId = (await api('POST', '/projects', { name: 'runner', repo_url: remote })).json().id;
    const s = (await api('POST', '/repo/sync', { project_id: projectId })).json();
    await eventually(async () => (await api('GET', `/repo/sync/${s.sync_id}`)).json().status === 'completed');
  });
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  it('ends a sync and an AI job that cannot run on any attempt as failed, with the reason, and tells the user', async () => {
    const { repo, ai } = server.runtime.services;
    const runSync = repo.runSync.bind(repo);
    const runAi = ai.run.bind(ai);
    // Failures outside the handlers' own bookkeeping, on every attempt.
    repo.runSync = async () => {
      throw new Error('the mirror volume is not mounted');
    };
    ai.run = async () => {
      throw new Error('the mirror volume is not mounted');
    };
    try {
      const sync = (await api('POST', '/repo/sync', { project_id: projectId })).json();
      const failed = await eventually(async () => {
        const s = (await api('GET', `/repo/sync/${sync.sync_id}`)).json();
        return s.status === 'failed' && s;
      });
      expect(failed.error).toEqual({
        code: 'internal_error',
        message: 'The sync could not run: the mirror volume is not mounted',
      });
      expect(failed.finished_at).not.toBeNull();

      const job = (
        await api('POST', '/ai/jobs', { project_id: projectId, action: 'summarize_file', path: 'a.ts' })
      ).json();
      const failedJob = await eventually(async () => {
        const j = (await api('GET', `/ai/jobs/${job.job_id}`)).json();
        return j.status === 'failed' && j;
      });
      expect(failedJob.error).toMatchObject({
        code: 'internal_error',
        message: 'The job could not run: the mirror volume is not mounted',
      });
      // The notification follows the row's update.
      await eventually(async () => {
        const types = (await api('GET', '/notifications?limit=50'))
          .json()
          .notifications.map((n: { type: string }) => n.type);
        return types.includes('repo_sync_failed') && types.includes('ai_job_failed');
      });
    } finally {
      repo.runSync = runSync;
      ai.run = runAi;
    }
  });

  it('runs jobs while the heartbeat store fails, and warns once', async () => {
    const runner = server.runtime.runner!;
    const store = (runner as unknown as { heartbeats: HeartbeatStore }).heartbeats;
    const beat = store.beat.bind(store);
    store.beat = async () => {
      throw new Error('heartbeat store unreachable');
    };
    const warned = () => logLines.filter((l) => l.includes('heartbeats not recorded')).length;
    const before = warned();
    try {
      const canaries = [];
      for (let i = 0; i < 3; i++) {
        const res = await server.request({
          method: 'POST',
          url: '/api/v1/admin/canary',
          token: server.admin.token,
          body: { delay_ms: 10 },
        });
        expect(res.statusCode).toBe(202);
        canaries.push(res.json().canary_id as string);
      }
      for (const id of canaries) {
        await eventually(async () => {
          const c = await server.request({
            method: 'GET',
            url: `/api/v1/admin/canary/${id}`,
            token: server.admin.token,
          });
          return c.json().status === 'completed';
        });
      }
      // Several heartbeat intervals (500 ms in tests) of failures: one warning.
      await new Promise((r) => setTimeout(r, 2000));
      expect(warned() - before).toBe(1);
    } finally {
      store.beat = beat;
    }
    await eventually(async () => logLines.some((l) => l.includes('heartbeats recorded again')));
  });
});
