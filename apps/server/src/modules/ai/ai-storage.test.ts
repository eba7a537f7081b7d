import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiJobs, suggestions } from '../../db/schema.js';
import { syncedProject } from '../../test/ai-jobs.js';
import { git } from '../../test/git-fixtures.js';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';
import { startS3 } from '../../test/s3.js';
import { redactedJson, tokenUsage } from './ai-log.js';

const FIXTURES = fileURLToPath(new URL('../../../../../packages/ai/test-fixtures/', import.meta.url));
const API_KEY = 'sk-test-key-never-in-logs-0123456789';

/** A repository with the documentation fixtures (docs/users.ts has fetchUser, undocumented). */
function fixtureRepo(dir: string): string {
  fs.mkdirSync(path.join(dir, 'docs'), { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'docs', 'users.ts'), path.join(dir, 'docs', 'users.ts'));
  // Enough exports that a summary's result is over the 16 KiB a row keeps.
  fs.writeFileSync(
    path.join(dir, 'docs', 'many.ts'),
    Array.from(
      { length: 300 },
      (_, i) => `export function helper${i}(input: string): string {\n  return input;\n}\n`,
    ).join('\n'),
  );
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'fixtures');
  return dir;
}

const drivers = ['fs', 's3'] as const;
const matrix = backends().flatMap((backend) =>
  drivers.map((driver) => ({ backend, driver, name: `${backend.name} + ${driver}` })),
);

describe.each(matrix)('AI work in object storage on $name', ({ backend, driver }) => {
  let server: TestServer;
  let s3: Awaited<ReturnType<typeof startS3>> | undefined;
  const work = tempDir('hivesync-ai-storage-');
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let projectId: string;
  const api = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });

  beforeAll(async () => {
    s3 = driver === 's3' ? await startS3() : undefined;
    server = await startTestServer(backend, { ...(s3?.env ?? {}), HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    owner = await registerUser(server);
    projectId = await syncedProject(server, owner.token, {
      name: 'ai-storage',
      repo_url: fixtureRepo(path.join(work.dir, 'remote')),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await s3?.stop();
    work.remove();
  });

  const runJob = async (body: Record<string, unknown>) => {
    const created = await api('POST', '/ai/jobs', owner.token, { project_id: projectId, ...body });
    expect(created.statusCode, created.body).toBe(202);
    return eventually(async () => {
      const j = (await api('GET', `/ai/jobs/${created.json().job_id}`, owner.token)).json();
      return ['completed', 'failed'].includes(j.status) && j;
    }, 60_000);
  };

  it('keeps the patch in artifacts and the log in ai-logs, the rows holding only their keys', async () => {
    const { infra } = server.runtime;
    expect(infra.artifacts.kind).toBe(driver);
    expect(infra.aiLogs.kind).toBe(driver);
    const job = await runJob({ action: 'document_function', path: 'docs/users.ts', symbol: 'fetchUser' });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const [s] = job.suggestions;
    expect(s.patch).toMatch(/^\+ \* @param userId/m);

    const [srow] = await infra.db.orm.select().from(suggestions).where(eq(suggestions.id, s.id));
    expect(srow!.patch).toBeNull();
    expect(srow!.patchKey).toMatch(/^ai\/patches\/[0-9a-f]{64}\.diff$/);
    expect((await infra.artifacts.get(srow!.patchKey!))?.toString('utf8')).toBe(s.patch);
    const diff = await api('GET', `/ai/suggestions/${s.id}/diff`, owner.token);
    expect(diff.statusCode, diff.body).toBe(200);
    expect(diff.json().files[0].path).toBe('docs/users.ts');

    const [jrow] = await infra.db.orm.select().from(aiJobs).where(eq(aiJobs.id, job.job_id));
    // The offline provider reports no tokens: none are made up.
    expect(jrow).toMatchObject({ provider: 'local', promptTokens: null, completionTokens: null });
    expect(jrow!.logKey).toBe(`${jrow!.createdAt.toISOString().slice(0, 10)}/${job.job_id}.json`);
    const stored = JSON.parse((await infra.aiLogs.get(jrow!.logKey!))!.toString('utf8'));
    expect(stored).toMatchObject({
      job_id: job.job_id,
      action: 'document_function',
      provider: 'local',
      outcome: 'completed',
      params: { path: 'docs/users.ts', symbol: 'fetchUser' },
      output: { patch_key: srow!.patchKey, suggestion_id: s.id },
    });
    expect(stored.context.files.map((f: { path: string }) => f.path)).toContain('docs/users.ts');
  });

  it('keeps a result too large for the row in artifacts, and serves it as if it were in the row', async () => {
    const { infra } = server.runtime;
    const job = await runJob({ action: 'summarize_file', path: 'docs/many.ts' });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.result.exports).toHaveLength(300);
    const [row] = await infra.db.orm.select().from(aiJobs).where(eq(aiJobs.id, job.job_id));
    expect(row!.result).toBeNull();
    expect(row!.resultKey).toBe(`ai/results/${job.job_id}.json`);
    expect(JSON.parse((await infra.artifacts.get(row!.resultKey!))!.toString('utf8'))).toEqual(job.result);
    const listed = (await api('GET', `/ai/jobs?project_id=${projectId}`, owner.token)).json();
    expect(listed.jobs.find((j: { job_id: string }) => j.job_id === job.job_id).result).toEqual(job.result);
  });

  it('serves the log to instance admins only (404 for anyone else and for an unknown job), and audits the read', async () => {
    const job = await runJob({ action: 'summarize_file', path: 'docs/users.ts' });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.result.summary).toContain('docs/users.ts');

    const byOwner = await api('GET', `/admin/ai-jobs/${job.job_id}/log`, owner.token);
    expect(byOwner.statusCode).toBe(404);
    expect(byOwner.json().error.code).toBe('not_found');
    const unknown = await api('GET', `/admin/ai-jobs/${crypto.randomUUID()}/log`, server.admin.token);
    expect(unknown.statusCode).toBe(404);

    const res = await api('GET', `/admin/ai-jobs/${job.job_id}/log`, server.admin.token);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ job_id: job.job_id, project_id: projectId });
    expect(Date.parse(body.expires_at) - Date.parse(job.created_at)).toBe(30 * 24 * 60 * 60 * 1000);
    expect(body.log.output.result.summary).toBe(job.result.summary);
    const audit = await api('GET', `/admin/audit?action=admin.ai_log_read`, server.admin.token);
    expect(audit.json().entries.map((e: { target_id: string }) => e.target_id)).toContain(job.job_id);
  });

  it('keeps serving rows written before object storage (patch and result in their columns)', async () => {
    const { db } = server.runtime.infra;
    const job = await runJob({ action: 'summarize_file', path: 'docs/users.ts' });
    const patch = 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n';
    const id = crypto.randomUUID();
    await db.orm.insert(suggestions).values({
      id,
      jobId: job.job_id,
      projectId,
      description: 'an older suggestion',
      files: ['x'],
      patch,
      state: 'proposed',
    });
    await db.orm
      .update(aiJobs)
      .set({ logKey: null, result: { summary: 'kept in the row' } })
      .where(eq(aiJobs.id, job.job_id));
    const got = (await api('GET', `/ai/jobs/${job.job_id}`, owner.token)).json();
    expect(got.result).toEqual({ summary: 'kept in the row' });
    expect(got.suggestions.find((x: { id: string }) => x.id === id).patch).toBe(patch);
    expect((await api('GET', `/ai/suggestions/${id}`, owner.token)).json().patch).toBe(patch);
    // A job without a log: nothing to read.
    expect((await api('GET', `/admin/ai-jobs/${job.job_id}/log`, server.admin.token)).statusCode).toBe(404);
  });

  it('deletes logs past the retention (and orphaned log objects), keeping the younger ones', async () => {
    const { infra, services } = server.runtime;
    const job = await runJob({ action: 'summarize_file', path: 'docs/users.ts' });
    const [row] = await infra.db.orm.select().from(aiJobs).where(eq(aiJobs.id, job.job_id));
    const logKey = row!.logKey!;
    // A log object no row refers to (its job's attempt died after writing it).
    const orphan = `${new Date().toISOString().slice(0, 10)}/${crypto.randomUUID()}.json`;
    await infra.aiLogs.put(orphan, Buffer.from('{}'));

    // Within the retention: nothing goes.
    await services.ai.deleteExpiredLogs(30);
    expect(await infra.aiLogs.get(logKey)).toBeDefined();
    expect(await infra.aiLogs.get(orphan)).toBeDefined();

    // 31 days on, both are past it.
    const later = new Date(Date.now() + 31 * 24 * 60 * 60 * 1000);
    expect(await services.ai.deleteExpiredLogs(30, later)).toBeGreaterThanOrEqual(2);
    expect(await infra.aiLogs.get(logKey)).toBeUndefined();
    expect(await infra.aiLogs.get(orphan)).toBeUndefined();
    const [after] = await infra.db.orm.select().from(aiJobs).where(eq(aiJobs.id, job.job_id));
    expect(after!.logKey).toBeNull();
    expect((await api('GET', `/admin/ai-jobs/${job.job_id}/log`, server.admin.token)).statusCode).toBe(404);
    // The job itself and its result stay.
    expect((await api('GET', `/ai/jobs/${job.job_id}`, owner.token)).json().status).toBe('completed');
  });
});

describe('AI logs with a language model', () => {
  let server: TestServer;
  let fake: http.Server;
  const work = tempDir('hivesync-ai-logs-openai-');

  beforeAll(async () => {
    fake = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        // A model that repeats a credential it was shown: the log must not keep it.
        const content = `Loads a user record by id. (The key was ${API_KEY}; auth was Bearer abcdefghijklmnop.)`;
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: 'cmpl-1',
            choices: [{ message: { role: 'assistant', content } }],
            usage: { prompt_tokens: 321, completion_tokens: 45, total_tokens: 366 },
          }),
        );
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    server = await startTestServer(backends()[0]!, {
      HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
      HIVESYNC_AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`,
      OPENAI_API_KEY: API_KEY,
      HIVESYNC_AI_MODEL: 'test-model',
    });
  });
  afterAll(async () => {
    await server?.stop();
    fake?.close();
    work.remove();
  });

  it('keeps the prompt sent and the raw answer, never the API key or a bearer token', async () => {
    const token = server.admin.token;
    const projectId = await syncedProject(server, token, {
      name: 'ai-logs',
      repo_url: fixtureRepo(path.join(work.dir, 'remote')),
    });
    const created = (
      await server.request({
        method: 'POST',
        url: '/api/v1/ai/jobs',
        token,
        body: { project_id: projectId, action: 'summarize_file', path: 'docs/users.ts' },
      })
    ).json();
    await eventually(async () => {
      const j = (await server.request({ method: 'GET', url: `/api/v1/ai/jobs/${created.job_id}`, token })).json();
      return j.status === 'completed';
    }, 60_000);
    const res = await server.request({ method: 'GET', url: `/api/v1/admin/ai-jobs/${created.job_id}/log`, token });
    expect(res.statusCode, res.body).toBe(200);
    const { log } = res.json();
    expect(log.provider).toBe('openai');
    const [exchange] = log.exchanges;
    expect(exchange).toMatchObject({ model: 'test-model', status: 200 });
    expect(exchange.system).toContain('You summarize source files');
    expect(exchange.user).toContain('export async function fetchUser');
    expect(exchange.response).toContain('cmpl-1');
    expect(exchange.response).toContain('Loads a user record by id.');
    expect(res.body).not.toContain(API_KEY);
    expect(res.body).not.toContain('abcdefghijklmnop');
    expect(res.body).toContain('[redacted]');
    // Nor in the stored object itself.
    const [row] = await server.runtime.infra.db.orm.select().from(aiJobs).where(eq(aiJobs.id, created.job_id));
    expect((await server.runtime.infra.aiLogs.get(row!.logKey!))!.toString('utf8')).not.toContain(API_KEY);
    // The row keeps who ran it and the tokens the model service reported, for the admin's AI analytics.
    expect(row).toMatchObject({ provider: 'openai', promptTokens: 321, completionTokens: 45 });
  });
});

describe('redactedJson', () => {
  it('takes out configured secrets and anything shaped like a credential', () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.${'eyJzdWIiOiJ1c2VyIn0'}.${'c2lnbmF0dXJlc2lnbmF0dXJl'}`;
    const text = redactedJson(
      {
        a: 'my-own-secret-value',
        b: `Authorization: Bearer tok_abcdefghijkl`,
        c: `key sk-${'x'.repeat(24)} and ${jwt} and hsr_${'y'.repeat(30)} and AKIAABCDEFGHIJKLMNOP`,
        d: 'ordinary code: const skip = 1;',
      },
      ['my-own-secret-value', undefined],
    );
    expect(text).not.toMatch(/my-own-secret-value|tok_abcdefghijkl|sk-x{24}|eyJhbGci|hsr_y|AKIAABCDEFGHIJKLMNOP/);
    expect(JSON.parse(text)).toEqual({
      a: '[redacted]',
      b: 'Authorization: Bearer [redacted]',
      c: 'key [redacted] and [redacted] and [redacted] and [redacted]',
      d: 'ordinary code: const skip = 1;',
    });
  });
});

describe('tokenUsage', () => {
  const exchange = (response?: string) => ({ model: 'm', system: '', user: '', at: '', ...(response && { response }) });
  it('sums what each answer reported, and leaves a figure no answer reported null', () => {
    const usage = (p: number, c?: number) =>
      JSON.stringify({ choices: [], usage: { prompt_tokens: p, ...(c !== undefined && { completion_tokens: c }) } });
    expect(
      tokenUsage({ files: [], exchanges: [exchange(usage(100, 10)), exchange(usage(50, 5)), exchange()] }),
    ).toEqual({ promptTokens: 150, completionTokens: 15 });
    expect(tokenUsage({ files: [], exchanges: [exchange(usage(7))] })).toEqual({
      promptTokens: 7,
      completionTokens: null,
    });
    expect(
      tokenUsage({ files: [], exchanges: [exchange('not json'), exchange('{"usage":{"prompt_tokens":-1}}')] }),
    ).toEqual({ promptTokens: null, completionTokens: null });
    expect(tokenUsage({ files: [], exchanges: [] })).toEqual({ promptTokens: null, completionTokens: null });
  });
});
