import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, tempDir } from '../../apps/server/src/test/harness.js';
import { makeRepo } from '../../apps/server/src/test/git-fixtures.js';
import { startFakeModel, type FakeModel } from '../support/fake-model.js';
import { call, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';
import { seedEmbeddedDatabase } from '../../apps/server/src/test/pglite-template.js';

describe('a worker killed with SIGKILL in the middle of an AI job', () => {
  const data = tempDir();
  const started: ServerProcess[] = [];
  let model: FakeModel | undefined;
  afterAll(async () => {
    for (const s of started) await stopServer(s, 'SIGKILL');
    model?.close();
    data.remove();
  });

  it('completes the job after a restart', async () => {
    let slow = true;
    // The first attempt hangs long enough to be killed mid-job.
    model = await startFakeModel((answer) => (slow ? setTimeout(answer, 20_000) : answer()));
    const env = {
      HIVESYNC_DATA_DIR: data.dir,
      HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
      HIVESYNC_AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: model.url,
      HIVESYNC_JOB_RETRY_DELAY_SECONDS: '0',
    };
    const remote = makeRepo(path.join(data.dir, 'remote'), {
      'greet.ts': 'export function greet(name: string): string {\n  return `hi ${name}`;\n}\n',
    });
    await seedEmbeddedDatabase(data.dir);
    const first = spawnServer(env);
    started.push(first);
    await first.ready;
    const token = (
      await call(first.url, 'POST', '/api/v1/auth/register', {
        body: { email: 'ai@example.test', password: 'ai crash password' },
      })
    ).body.access_token as string;
    const project = (
      await call(first.url, 'POST', '/api/v1/projects', { token, body: { name: 'g', repo_url: remote } })
    ).body.id as string;
    const sync = (await call(first.url, 'POST', '/api/v1/repo/sync', { token, body: { project_id: project } })).body;
    await eventually(
      async () =>
        (await call(first.url, 'GET', `/api/v1/repo/sync/${sync.sync_id}`, { token })).body.status === 'completed',
    );
    const job = (
      await call(first.url, 'POST', '/api/v1/ai/jobs', {
        token,
        body: { project_id: project, action: 'summarize_file', path: 'greet.ts' },
      })
    ).body;
    await eventually(async () => model!.requests() > 0);
    expect((await call(first.url, 'GET', `/api/v1/ai/jobs/${job.job_id}`, { token })).body.status).toBe('running');
    first.proc.kill('SIGKILL');
    await first.exited;

    slow = false;
    const second = spawnServer(env);
    started.push(second);
    await second.ready;
    const done = await eventually(async () => {
      const j = (await call(second.url, 'GET', `/api/v1/ai/jobs/${job.job_id}`, { token })).body;
      return j.status === 'completed' && j;
    }, 40_000);
    expect(done.result.summary).toBe('Greets people by name.');
    await stopServer(second);
  });
});
