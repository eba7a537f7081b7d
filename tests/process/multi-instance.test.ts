import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, eventually, tempDir } from '../../apps/server/src/test/harness.js';
import { commitFiles, makeRepo } from '../../apps/server/src/test/git-fixtures.js';
import { startS3 } from '../../apps/server/src/test/s3.js';
import { call, spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';

const external = backends().find((b) => b.name === 'postgres+redis');

// The topology of deploy/docker-compose.yml as processes (Docker cannot run here): two API instances, a worker of
// the cpu pool and one of the gpu pool, on one PostgreSQL, Redis and S3.
describe.runIf(external)(
  'distributed mode: 2 API instances, a cpu and a gpu worker on one PostgreSQL, Redis and S3',
  () => {
    const started: ServerProcess[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const s of started) await stopServer(s);
      for (const c of cleanups.reverse()) await c();
    });

    it('serves every request on either instance: sync, previews and events cross processes; each worker takes its own pool’s jobs', async () => {
      const { env, cleanup } = await external!.provision();
      cleanups.push(cleanup);
      const s3 = await startS3();
      cleanups.push(s3.stop);
      const data = tempDir();
      cleanups.push(async () => data.remove());
      const shared = {
        ...env,
        ...s3.env,
        HIVESYNC_DATA_DIR: data.dir,
        HIVESYNC_JWT_SECRET: crypto.randomBytes(32).toString('hex'),
        HIVESYNC_SECRETS_KEY: crypto.randomBytes(32).toString('hex'),
        HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
        HIVESYNC_HEARTBEAT_INTERVAL_MS: '500',
      };
      const apis = [spawnServer(shared, { args: ['api'] }), spawnServer(shared, { args: ['api'] })];
      const workers = [
        spawnServer(shared, { args: ['worker', '--pools', 'cpu'] }),
        spawnServer(shared, { args: ['worker', '--pools', 'gpu'] }),
      ];
      started.push(...apis, ...workers);
      await Promise.all([...apis, ...workers].map((p) => p.ready));
      let turn = 0;
      const next = () => apis[turn++ % 2]!.url;

      const reg = await call(next(), 'POST', '/api/v1/auth/register', {
        body: {
          email: 'dist@example.test',
          password: 'two distributed instances',
        },
      });
      const token = reg.body.access_token as string;
      // A token from instance A works on instance B.
      expect((await call(next(), 'GET', '/api/v1/auth/me', { token })).status).toBe(200);

      // Events: connected to instance B, produced by a worker process.
      const controller = new AbortController();
      const received: string[] = [];
      const streamUrl = apis[1]!.url;
      void fetch(`${streamUrl}/api/v1/events`, {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      })
        .then(async (res) => {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
            received.push(Buffer.from(chunk).toString());
        })
        .catch(() => undefined);

      const remote = makeRepo(path.join(data.dir, 'remote'), {
        'README.md': '# Distributed\n',
      });
      const project = (
        await call(next(), 'POST', '/api/v1/projects', {
          token,
          body: { name: 'dist', repo_url: remote },
        })
      ).body;
      // A sync, and a doc job on greet(), each asked on one instance and followed on the other until it completes.
      const syncAndWait = async () => {
        const { sync_id } = (
          await call(next(), 'POST', '/api/v1/repo/sync', { token, body: { project_id: project.id } })
        ).body;
        return eventually(async () => {
          const s = (await call(next(), 'GET', `/api/v1/repo/sync/${sync_id}`, { token })).body;
          return s.status === 'completed' && s;
        });
      };
      const documentGreet = async () => {
        const { job_id } = (
          await call(next(), 'POST', '/api/v1/ai/jobs', {
            token,
            body: { project_id: project.id, action: 'document_function', path: 'src/greet.ts', symbol: 'greet' },
          })
        ).body;
        return eventually(async () => {
          const j = (await call(next(), 'GET', `/api/v1/ai/jobs/${job_id}`, { token })).body;
          return j.status === 'completed' && j;
        }, 60_000);
      };
      const done = await syncAndWait();
      expect(
        (await call(next(), 'GET', `/api/v1/repo/file?project_id=${project.id}&path=README.md`, { token })).body
          .content,
      ).toBe('# Distributed\n');
      await eventually(async () => received.join('').includes('repo_sync_success'));
      expect(received.join('')).toContain(done.sync_id);

      // An AI job: created on one instance, run by a worker process, read on the other.
      commitFiles(remote, {
        'src/greet.ts': 'export function greet(name: string) {\n  return `hi ${name}`;\n}\n',
      });
      await syncAndWait();
      const finished = await documentGreet();
      expect(finished.suggestions[0].patch).toContain('+/**');
      await eventually(async () => received.join('').includes('ai_job_completed'));

      // Each worker serves the pool it was started with; once the project is on the pro plan (its first user is the
      // instance admin), its AI jobs go to the gpu variant of the queue, which only the gpu worker takes.
      const pools = await eventually(async () => {
        const { workers: listed } = (await call(next(), 'GET', '/api/v1/admin/workers', { token })).body as {
          workers: { kind: string; pools: string[] }[];
        };
        const mine = listed.filter((w) => w.kind === 'worker');
        return mine.length === 2 && mine.map((w) => w.pools.join(',')).sort();
      });
      expect(pools).toEqual(['cpu', 'gpu']);
      const plan = await call(next(), 'PATCH', `/api/v1/admin/projects/${project.id}`, {
        token,
        body: { plan: 'pro' },
      });
      expect(plan.status, JSON.stringify(plan.body)).toBe(200);
      await documentGreet();
      // The queue counts a job completed once its handler has returned, a moment after the job's own row says so:
      // both counts are awaited (on a loaded machine the free job's count came after the pro job's).
      const completed = await eventually(async () => {
        const { queues } = (await call(next(), 'GET', '/api/v1/admin/queues', { token })).body as {
          queues: { name: string; completed_last_hour: number }[];
        };
        const count = (name: string) => queues.find((q) => q.name === name)?.completed_last_hour ?? 0;
        return count('ai-job-gpu') >= 1 && count('ai-job') >= 1 && { cpu: count('ai-job'), gpu: count('ai-job-gpu') };
      });
      expect(completed).toEqual({ cpu: 1, gpu: 1 });

      commitFiles(remote, { 'README.md': '# Distributed v2\n' });
      await syncAndWait();

      // Preview: created on one instance, uploaded to S3, completed on the other, resolved on the first.
      const bundle = Buffer.from('<!doctype html><p>distributed preview</p>');
      const sha = crypto.createHash('sha256').update(bundle).digest('hex');
      const created = (
        await call(next(), 'POST', '/api/v1/previews', {
          token,
          body: {
            project_id: project.id,
            platform: 'web',
            sha256: sha,
            size: bundle.length,
          },
        })
      ).body;
      expect(
        (
          await fetch(created.upload.url, {
            method: 'PUT',
            headers: created.upload.headers,
            body: bundle,
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await call(next(), 'POST', `/api/v1/previews/${created.preview_id}/complete`, {
            token,
            body: { sha256: sha, size: bundle.length },
          })
        ).body.status,
      ).toBe('ready');
      const resolved = (
        await call(next(), 'POST', '/api/v1/previews/resolve', {
          body: { code: created.code },
        })
      ).body;
      expect(Buffer.from(await (await fetch(resolved.download_url)).arrayBuffer()).equals(bundle)).toBe(true);
      expect(
        (
          await call(next(), 'POST', '/api/v1/previews/resolve', {
            body: { code: created.code },
          })
        ).status,
      ).toBe(410);
      await eventually(async () => received.join('').includes('preview_consumed'));

      // Both workers are alive and visible from either instance.
      const health = (await call(next(), 'GET', '/health/workers')).body;
      expect(health.workers.filter((w: { status: string }) => w.status === 'healthy')).toHaveLength(2);
      controller.abort();
    });
  },
);
