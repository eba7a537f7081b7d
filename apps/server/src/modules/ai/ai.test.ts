import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOnCheckout, syncedProject } from '../../test/ai-jobs.js';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';
import { git } from '../../test/git-fixtures.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../test/test-repos.js';

const FIXTURES = fileURLToPath(new URL('../../../../../packages/ai/test-fixtures/', import.meta.url));

/** A repository holding the AI fixtures: a TS project for renames and files in TS, Python and Go to document. */
function fixtureRepo(dir: string): string {
  fs.cpSync(path.join(FIXTURES, 'rename-project'), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'docs'), { recursive: true });
  for (const f of ['users.ts', 'users.py', 'store.go'])
    fs.copyFileSync(path.join(FIXTURES, 'docs', f), path.join(dir, 'docs', f));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'fixtures');
  return dir;
}

describe.each(backends())('AI jobs on $name', (backend) => {
  let server: TestServer;
  const work = tempDir('hivesync-ai-');
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let projectId: string;
  let remote: string;
  const api = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });

  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    owner = await registerUser(server);
    remote = fixtureRepo(path.join(work.dir, 'remote'));
    projectId = (await api('POST', '/projects', owner.token, { name: 'ai', repo_url: remote })).json().id;
    const s = (await api('POST', '/repo/sync', owner.token, { project_id: projectId })).json();
    await eventually(
      async () => (await api('GET', `/repo/sync/${s.sync_id}`, owner.token)).json().status === 'completed',
    );
  });
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  const runJob = async (body: Record<string, unknown>, token = owner.token) => {
    const created = await api('POST', '/ai/jobs', token, { project_id: projectId, ...body });
    expect(created.statusCode, created.body).toBe(202);
    return eventually(async () => {
      const j = (await api('GET', `/ai/jobs/${created.json().job_id}`, token)).json();
      return ['completed', 'failed'].includes(j.status) && j;
    }, 60_000);
  };

  it.each([
    ['TypeScript', { path: 'docs/users.ts', symbol: 'fetchUser' }, /@param userId/],
    ['Python', { path: 'docs/users.py', symbol: 'parse_config' }, /Args:/],
    ['Go', { path: 'docs/store.go', symbol: 'NewStore' }, /\/\/ NewStore/],
  ])(
    'documents a %s function with a patch that applies and only adds comment lines',
    async (_lang, target, expected) => {
      const job = await runJob({ action: 'document_function', ...target });
      expect(job.status, JSON.stringify(job.error)).toBe('completed');
      const [s] = job.suggestions;
      expect(s).toMatchObject({ state: 'proposed', files: [target.path] });
      const changed = s.patch.split('\n').filter((l: string) => /^[+-](?![+-]{2} )/.test(l));
      expect(changed.every((l: string) => l.startsWith('+'))).toBe(true);
      expect(s.patch).toMatch(expected);
      const dir = applyOnCheckout(remote, job.commit, s.patch, path.join(work.dir, `apply-${target.symbol}`));
      expect(fs.readFileSync(path.join(dir, target.path), 'utf8')).toMatch(expected);
    },
  );

  it('renames a symbol across files (import, re-export, call), and the result type-checks', async () => {
    const job = await runJob({
      action: 'rename_symbol',
      path: 'src/users/user.ts',
      symbol: 'formatUser',
      new_name: 'describeUser',
      range: { start_line: 23, end_line: 23 },
    });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    const [s] = job.suggestions;
    expect(s.files.length).toBeGreaterThanOrEqual(3);
    const dir = applyOnCheckout(remote, job.commit, s.patch, path.join(work.dir, 'apply-rename'));
    expect(fs.readFileSync(path.join(dir, 'src/report.ts'), 'utf8')).toContain("'formatUser report'");
    const tsc = fileURLToPath(new URL('../../../../../node_modules/.bin/tsc', import.meta.url));
    execFileSync(tsc, ['--noEmit', '-p', path.join(dir, 'tsconfig.json')]);
  });

  it('fails a colliding new name clearly', async () => {
    const job = await runJob({
      action: 'rename_symbol',
      path: 'src/users/user.ts',
      symbol: 'formatUser',
      new_name: 'UserStore',
      range: { start_line: 23, end_line: 23 },
    });
    expect(job).toMatchObject({ status: 'failed', error: { code: 'name_collision' } });
    expect(job.suggestions).toEqual([]);
  });

  it('summarizes a file', async () => {
    const job = await runJob({ action: 'summarize_file', path: 'docs/users.ts' });
    expect(job.status).toBe('completed');
    expect(String(job.result.summary)).toMatch(/fetch/i);
    expect(job.result.exports.map((e: { name: string }) => e.name)).toContain('fetchUser');
  });

  it('moves suggestions only along their states, recording who and when', async () => {
    const job = await runJob({ action: 'document_function', path: 'docs/users.py', symbol: 'is_admin' });
    const id = job.suggestions[0].id;
    const early = await api('POST', `/ai/suggestions/${id}/applied`, owner.token);
    expect(early.statusCode, early.body).toBe(409);
    expect((await api('POST', `/ai/suggestions/${id}/approve`, owner.token)).json().state).toBe('approved');
    expect((await api('POST', `/ai/suggestions/${id}/reject`, owner.token)).statusCode).toBe(409);
    expect((await api('POST', `/ai/suggestions/${id}/applied`, owner.token)).json().state).toBe('applied');
    const reverted = (await api('POST', `/ai/suggestions/${id}/reverted`, owner.token)).json();
    expect(reverted.state).toBe('reverted');
    expect(reverted.history.map((h: { from: string; to: string; by: string }) => [h.from, h.to, h.by])).toEqual([
      ['proposed', 'approved', owner.id],
      ['approved', 'applied', owner.id],
      ['applied', 'reverted', owner.id],
    ]);
    const audit = (await api('GET', '/admin/audit?action=suggestion.*', server.admin.token))
      .json()
      .entries.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['suggestion.approved', 'suggestion.applied', 'suggestion.reverted']));
  });

  it('keeps the comment given with an approve or a reject; viewers may read but not move', async () => {
    const a = (await runJob({ action: 'document_function', path: 'docs/users.py', symbol: 'parse_config' }))
      .suggestions[0].id;
    const b = (await runJob({ action: 'document_function', path: 'docs/store.go', symbol: 'NewStore' })).suggestions[0]
      .id;
    const tooLong = await api('POST', `/ai/suggestions/${a}/approve`, owner.token, { comment: 'x'.repeat(2001) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.code).toBe('validation_error');

    const viewer = await registerUser(server);
    await api('POST', `/projects/${projectId}/members`, owner.token, { email: viewer.email, role: 'viewer' });
    expect((await api('POST', `/ai/suggestions/${a}/approve`, viewer.token, { comment: 'ok' })).statusCode).toBe(403);
    expect((await api('GET', `/ai/suggestions/${a}/diff`, viewer.token)).statusCode).toBe(200);

    const approved = (
      await api('POST', `/ai/suggestions/${a}/approve`, owner.token, { comment: '  Reads well.  ' })
    ).json();
    expect(approved.history).toEqual([
      { from: 'proposed', to: 'approved', by: owner.id, at: expect.any(String), comment: 'Reads well.' },
    ]);
    const rejected = (
      await api('POST', `/ai/suggestions/${b}/reject`, owner.token, { comment: 'Not Go style.' })
    ).json();
    expect(rejected.history[0]).toMatchObject({ to: 'rejected', comment: 'Not Go style.' });
    // Without a body, as older clients send it: no comment.
    const applied = (await api('POST', `/ai/suggestions/${a}/applied`, owner.token)).json();
    expect(applied.history.map((h: { comment: string | null }) => h.comment)).toEqual(['Reads well.', null]);
    const audit = (await api('GET', '/admin/audit?action=suggestion.rejected', server.admin.token)).json();
    expect(audit.entries.find((e: { target_id: string }) => e.target_id === b).details).toEqual({
      comment: 'Not Go style.',
    });
  });

  it("shows a suggestion's patch as files, hunks and numbered lines", async () => {
    const job = await runJob({ action: 'document_function', path: 'docs/users.ts', symbol: 'fetchUser' });
    const [s] = job.suggestions;
    const res = await api('GET', `/ai/suggestions/${s.id}/diff`, owner.token);
    expect(res.statusCode, res.body).toBe(200);
    const diff = res.json();
    expect(diff).toMatchObject({ from: job.commit, to: job.commit, total_files: 1, deletions: 0, truncated: false });
    const [file] = diff.files;
    expect(file).toMatchObject({ path: 'docs/users.ts', old_path: null, status: 'modified', binary: false });
    const added = s.patch.split('\n').filter((l: string) => /^\+(?!\+\+ )/.test(l));
    expect(diff.additions).toBe(added.length);
    const lines = file.hunks.flatMap((h: { lines: Array<{ type: string; text: string }> }) => h.lines);
    expect(lines.filter((l: { type: string }) => l.type === 'add').map((l: { text: string }) => `+${l.text}`)).toEqual(
      added,
    );
    // Line numbers follow the hunk header: the first line of a hunk is at its old_start and new_start.
    const [hunk] = file.hunks;
    expect(hunk.lines[0]).toMatchObject({
      old_line: hunk.lines[0].type === 'add' ? null : hunk.old_start,
      new_line: hunk.new_start,
    });
    expect(
      (await api('GET', '/ai/suggestions/00000000-0000-4000-8000-000000000000/diff', owner.token)).statusCode,
    ).toBe(404);
  });

  it('pages the job list with a cursor, newest first, and says who asked', async () => {
    const all = (await api('GET', `/ai/jobs?project_id=${projectId}`, owner.token)).json();
    expect(all.next_cursor).toBeNull();
    expect(all.jobs.length).toBeGreaterThanOrEqual(3);
    expect(all.jobs[0].requested_by).toBe(owner.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { jobs: { job_id: string }[]; next_cursor: string | null } = (
        await api('GET', `/ai/jobs?project_id=${projectId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, owner.token)
      ).json();
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.jobs.map((j) => j.job_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.jobs.map((j: { job_id: string }) => j.job_id));
    const bad = await api('GET', `/ai/jobs?project_id=${projectId}&cursor=nonsense`, owner.token);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_error');
    expect((await api('GET', `/ai/jobs?project_id=${projectId}&limit=0`, owner.token)).statusCode).toBe(400);
  });

  it('tells clients which actions the provider runs', async () => {
    const res = await api('GET', '/ai/capabilities', owner.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      provider: 'local',
      actions: ['document_function', 'document_file', 'summarize_file', 'rename_symbol'],
    });
    expect((await server.request({ method: 'GET', url: '/api/v1/ai/capabilities' })).statusCode).toBe(401);
  });

  it('keeps another user’s jobs and suggestions out of reach (404)', async () => {
    const job = await runJob({ action: 'document_function', path: 'docs/users.ts', symbol: 'fetchUser' });
    const stranger = await registerUser(server);
    expect((await api('GET', `/ai/jobs/${job.job_id}`, stranger.token)).statusCode).toBe(404);
    expect((await api('GET', `/ai/jobs?project_id=${projectId}`, stranger.token)).statusCode).toBe(404);
    expect((await api('GET', `/ai/suggestions/${job.suggestions[0].id}`, stranger.token)).statusCode).toBe(404);
    expect((await api('POST', `/ai/suggestions/${job.suggestions[0].id}/approve`, stranger.token)).statusCode).toBe(
      404,
    );
    expect(
      (
        await api('POST', '/ai/jobs', stranger.token, {
          project_id: projectId,
          action: 'summarize_file',
          path: 'docs/users.ts',
        })
      ).statusCode,
    ).toBe(404);
  });

  it('notifies the requester through the job lifecycle', async () => {
    const job = await runJob({ action: 'summarize_file', path: 'docs/store.go' });
    const types = (await api('GET', '/notifications?limit=200', owner.token))
      .json()
      .notifications.filter((n: { payload: { job_id?: string } }) => n.payload.job_id === job.job_id)
      .map((n: { type: string }) => n.type);
    expect(types).toEqual(['ai_job_queued', 'ai_job_started', 'ai_job_completed']);
  });
});

describe('the openai provider, against an OpenAI-compatible server on loopback', () => {
  let server: TestServer;
  const work = tempDir('hivesync-ai-openai-');
  let fake: http.Server;
  let mode: 'ok' | 'fail' = 'ok';
  const requests: { auth?: string; body: { model: string; messages: { content: string }[] } }[] = [];

  beforeAll(async () => {
    fake = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw);
        requests.push({ auth: req.headers.authorization, body });
        if (mode === 'fail') return void res.writeHead(503).end('{"error":"overloaded"}');
        const wantsJson = String(body.messages[0].content).includes('JSON');
        const content = wantsJson
          ? JSON.stringify({
              description: 'Rename the greeting',
              files: [{ path: 'docs/users.ts', content: '// refactored by the model\n' }],
            })
          : 'Loads a user record from the remote API by its id.';
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    server = await startTestServer(backends()[0]!, {
      HIVESYNC_ALLOW_LOCAL_REPOS: 'true',
      HIVESYNC_AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`,
      OPENAI_API_KEY: 'sk-test-key-never-in-logs',
      HIVESYNC_AI_MODEL: 'test-model',
    });
  });
  afterAll(async () => {
    await server?.stop();
    fake?.close();
    work.remove();
  });

  it('lets the model write the text while the patch is built locally; provider failures fail the job', async () => {
    const token = server.admin.token;
    const remote = fixtureRepo(path.join(work.dir, 'remote'));
    const projectId = await syncedProject(server, token, { name: 'ai', repo_url: remote });
    const run = async (body: Record<string, unknown>) => {
      const id = (
        await server.request({
          method: 'POST',
          url: '/api/v1/ai/jobs',
          token,
          body: { project_id: projectId, ...body },
        })
      ).json().job_id;
      return eventually(async () => {
        const j = (await server.request({ method: 'GET', url: `/api/v1/ai/jobs/${id}`, token })).json();
        return ['completed', 'failed'].includes(j.status) && j;
      }, 60_000);
    };
    const caps = await server.request({ method: 'GET', url: '/api/v1/ai/capabilities', token });
    expect(caps.json()).toEqual({ provider: 'openai', actions: expect.arrayContaining(['refactor']) });
    const doc = await run({ action: 'document_function', path: 'docs/users.ts', symbol: 'fetchUser' });
    expect(doc.status, JSON.stringify(doc.error)).toBe('completed');
    expect(doc.suggestions[0].patch).toContain('+ * Loads a user record from the remote API by its id.');
    expect(requests.at(-1)!.auth).toBe('Bearer sk-test-key-never-in-logs');
    expect(requests.at(-1)!.body.model).toBe('test-model');
    applyOnCheckout(remote, doc.commit, doc.suggestions[0].patch, path.join(work.dir, 'apply'));

    const refactor = await run({ action: 'refactor', path: 'docs/users.ts', instructions: 'simplify' });
    expect(refactor.status, JSON.stringify(refactor.error)).toBe('completed');
    expect(refactor.suggestions[0].patch).toContain('+// refactored by the model');

    mode = 'fail';
    const failed = await run({ action: 'summarize_file', path: 'docs/users.ts' });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'ai_provider_error' } });
    expect(failed.error.message).not.toContain('sk-test-key');
  });
});

describe.skipIf(skipWithoutTestRepos('express'))('AI jobs on express, whose functions are documented already', () => {
  let server: TestServer;
  const work = tempDir('hivesync-ai-express-');
  let token: string;
  let projectId: string;
  let application: string;

  beforeAll(async () => {
    server = await startTestServer(backends()[0]!, { HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    token = server.admin.token;
    const remote = cloneTestRepo('express', work.dir);
    application = execFileSync('git', ['--git-dir', remote, 'show', 'master:lib/application.js'], { encoding: 'utf8' });
    projectId = await syncedProject(server, token, { name: 'express', repo_url: remote, branch: 'master' }, 120_000);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  const run = async (body: Record<string, unknown>) => {
    const created = await server.request({
      method: 'POST',
      url: '/api/v1/ai/jobs',
      token,
      body: { project_id: projectId, ...body },
    });
    expect(created.statusCode, created.body).toBe(202);
    return eventually(async () => {
      const j = (
        await server.request({ method: 'GET', url: `/api/v1/ai/jobs/${created.json().job_id}`, token })
      ).json();
      return ['completed', 'failed'].includes(j.status) && j;
    }, 60_000);
  };
  const lineOf = (needle: string) => application.split('\n').findIndex((l) => l.includes(needle)) + 1;

  it('summarizes a file by its CommonJS exports', async () => {
    // Also loads the provider, which a worker does once, on its first AI job.
    const job = await run({ action: 'summarize_file', path: 'lib/utils.js' });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.result.exports.map((e: { name: string }) => e.name)).toEqual([
      'methods',
      'etag',
      'wetag',
      'normalizeType',
      'normalizeTypes',
      'compileETag',
      'compileQueryParser',
      'compileTrust',
      'setCharset',
    ]);
    expect(job.message).toBeNull();
  });

  it('completes at once, with no suggestion and a message, when the function is documented already', async () => {
    const line = lineOf('app.init = function init()');
    const job = await run({
      action: 'document_function',
      path: 'lib/application.js',
      range: { start_line: line, end_line: line },
    });
    expect(job, JSON.stringify(job.error)).toMatchObject({
      status: 'completed',
      error: null,
      suggestions: [],
      message: `\`app.init\` in lib/application.js:${line} already has a doc comment.`,
    });

    const bySymbol = await run({ action: 'document_function', path: 'lib/application.js', symbol: 'logerror' });
    expect(bySymbol.message).toBe(
      `\`logerror\` in lib/application.js:${lineOf('function logerror(')} already has a doc comment.`,
    );

    const whole = await run({ action: 'document_file', path: 'lib/application.js' });
    expect(whole).toMatchObject({
      status: 'completed',
      suggestions: [],
      message: 'Every declaration in lib/application.js already has a doc comment (18 in all).',
    });
    const completed = (await server.request({ method: 'GET', url: '/api/v1/notifications?limit=200', token }))
      .json()
      .notifications.find(
        (n: { type: string; payload: { job_id?: string } }) =>
          n.type === 'ai_job_completed' && n.payload.job_id === job.job_id,
      );
    expect(completed.payload.suggestions).toBe(0);
  });

  it('still documents an undocumented function, reading the whole project', async () => {
    const job = await run({ action: 'document_function', path: 'lib/response.js', symbol: 'sendfile' });
    expect(job.status, JSON.stringify(job.error)).toBe('completed');
    expect(job.message).toBeNull();
    expect(job.suggestions[0].patch).toMatch(/^\+ \* @param/m);
  });
});
