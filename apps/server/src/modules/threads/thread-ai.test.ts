import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncedProject } from '../../test/ai-jobs.js';
import { git } from '../../test/git-fixtures.js';
import { backends, eventually, registerUser, startTestServer, tempDir, type TestServer } from '../../test/harness.js';

const SOURCE = `import { readFile } from 'node:fs/promises';

export async function loadConfig(dir: string, strict = false): Promise<Record<string, unknown>> {
  const text = await readFile(\`\${dir}/config.json\`, 'utf8');
  const parsed = JSON.parse(text);
  if (strict && !parsed.name) throw new TypeError('config needs a name');
  return normalize(parsed);
}

function normalize(config: Record<string, unknown>): Record<string, unknown> {
  return { ...config, loaded: true };
}
`;

function repo(dir: string): string {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src', 'config.ts'), SOURCE);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'config loader');
  return dir;
}

type User = Awaited<ReturnType<typeof registerUser>>;

describe.each(backends())('AI answers in threads on $name', (backend) => {
  let server: TestServer;
  const work = tempDir('hivesync-thread-ai-');
  let owner: User;
  let member: User;
  let viewer: User;
  let outsider: User;
  let projectId: string;
  let threadId: string;
  const api = (method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token, body });

  beforeAll(async () => {
    server = await startTestServer(backend, { HIVESYNC_ALLOW_LOCAL_REPOS: 'true' });
    [owner, member, viewer, outsider] = [
      await registerUser(server),
      await registerUser(server),
      await registerUser(server),
      await registerUser(server),
    ];
    projectId = await syncedProject(server, owner.token, { name: 'thread-ai', repo_url: repo(work.dir) });
    for (const [u, role] of [
      [member, 'member'],
      [viewer, 'viewer'],
    ] as const) {
      const added = await api('POST', `/projects/${projectId}/members`, owner.token, { email: u.email, role });
      expect(added.statusCode, added.body).toBe(201);
    }
    // The owner starts a thread on loadConfig's body; the member asks the assistant about it.
    const thread = await api('POST', `/projects/${projectId}/threads`, owner.token, {
      path: 'src/config.ts',
      start_line: 4,
      end_line: 6,
      body: 'What does this do when the file is missing?',
    });
    expect(thread.statusCode, thread.body).toBe(201);
    threadId = thread.json().thread_id;
  });
  afterAll(async () => {
    await server?.stop();
    work.remove();
  });

  const ask = (token: string, body: unknown, thread = threadId, project = projectId) =>
    api('POST', `/projects/${project}/threads/${thread}/ai`, token, body);

  it('explain: the offline answer is posted in the thread by the assistant, facts only, and participants are told', async () => {
    const res = await ask(member.token, { action: 'explain' });
    expect(res.statusCode, res.body).toBe(202);
    const job = res.json();
    expect(job).toMatchObject({ action: 'explain', status: 'queued', thread_id: threadId, path: 'src/config.ts' });
    const done = await eventually(async () => {
      const j = (await api('GET', `/ai/jobs/${job.job_id}`, member.token)).json();
      return ['completed', 'failed'].includes(j.status) && j;
    }, 60_000);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(done.suggestions).toEqual([]);

    const thread = (await api('GET', `/threads/${threadId}`, owner.token)).json();
    const answer = thread.comments.at(-1);
    expect(answer).toMatchObject({ ai: true, author_id: null, author_name: 'HiveSync AI' });
    expect(answer.body).toBe(`**Explain this**\n\n${done.result.answer}`);
    // What the code says, and only that: name, parameters and types, what it calls, returns and throws.
    expect(answer.body).toContain('**`loadConfig`** — function at src/config.ts:3');
    expect(answer.body).toContain('- `dir`: `string`');
    expect(answer.body).toContain('Defaults to `false`');
    expect(answer.body).toContain('Calls `readFile`, `JSON.parse` and `normalize`.');
    expect(answer.body).toContain('Throws `TypeError` when');
    expect(answer.body).toContain('What the code is for is not guessed');
    // Every name it quotes is in the code (types it infers, such as `boolean` for `strict = false`, aside).
    for (const [, code] of (answer.body as string).matchAll(/`([A-Za-z_][\w.]*)`/g))
      if (!['boolean', 'string', 'number'].includes(code!)) expect(SOURCE).toContain(code!.split('.').at(-1));

    // The thread's participant (its author) hears of the answer as of any reply.
    const notified = await eventually(async () => {
      const list = (await api('GET', '/notifications?limit=100', owner.token)).json().notifications;
      return list.find(
        (n: { type: string; payload: Record<string, unknown> }) =>
          n.type === 'thread_reply' && n.payload.ai_job_id === job.job_id,
      );
    });
    expect(notified.payload).toMatchObject({ thread_id: threadId, by_name: 'HiveSync AI', path: 'src/config.ts' });
  });

  it('refuses what it should: non-members 404, unknown or foreign threads 404, viewers 403, bad actions 400', async () => {
    const outsiderRes = await ask(outsider.token, { action: 'explain' });
    expect(outsiderRes.statusCode).toBe(404);
    expect(outsiderRes.json().error.code).toBe('not_found');
    expect((await ask(member.token, { action: 'explain' }, crypto.randomUUID())).statusCode).toBe(404);
    // A thread of another project, asked through this one.
    const other = await syncedProject(server, outsider.token, {
      name: 'other',
      repo_url: repo(path.join(work.dir, 'o')),
    });
    const foreign = (
      await api('POST', `/projects/${other}/threads`, outsider.token, {
        path: 'src/config.ts',
        start_line: 1,
        body: 'x',
      })
    ).json().thread_id;
    expect((await ask(member.token, { action: 'explain' }, foreign)).statusCode).toBe(404);
    expect((await ask(outsider.token, { action: 'explain' }, threadId, other)).statusCode).toBe(404);
    expect((await ask(viewer.token, { action: 'explain' })).statusCode).toBe(403);

    for (const body of [{ action: 'poem' }, {}, { action: 'document_file' }]) {
      const bad = await ask(member.token, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.code).toBe('validation_error');
    }
    // suggest_fix needs a model; the offline provider does not pretend to write fixes.
    const fix = await ask(member.token, { action: 'suggest_fix' });
    expect(fix.statusCode).toBe(400);
    expect(fix.json().error.message).toContain('HIVESYNC_AI_PROVIDER=openai');
    // Thread questions are not taken by /ai/jobs.
    const direct = await api('POST', '/ai/jobs', member.token, {
      project_id: projectId,
      action: 'explain',
      path: 'src/config.ts',
    });
    expect(direct.statusCode).toBe(400);
    const caps = (await api('GET', '/ai/capabilities', member.token)).json();
    expect(caps.actions).not.toContain('explain');
  });
});

describe('suggest a fix in a thread, with a language model', () => {
  let server: TestServer;
  let fake: http.Server;
  const work = tempDir('hivesync-thread-fix-');
  const work2 = tempDir('hivesync-thread-fix-fails-');
  const prompts: string[] = [];
  let garble = false; // the model answers prose where JSON was asked for
  const FIXED = SOURCE.replace(
    "const text = await readFile(`${dir}/config.json`, 'utf8');",
    "const text = await readFile(`${dir}/config.json`, 'utf8').catch(() => '{}');",
  );

  beforeAll(async () => {
    fake = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw) as { messages: { content: string }[] };
        prompts.push(body.messages[1]!.content);
        const content = garble
          ? 'Sure! Here is the fix you asked for.'
          : body.messages[0]!.content.startsWith('You explain code')
            ? 'It reads config.json under `dir` and rejects when the file is missing.'
            : JSON.stringify({
                description: 'A missing file made readFile reject; it now reads as an empty config.',
                files: [{ path: 'src/config.ts', content: FIXED }],
              });
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
      OPENAI_API_KEY: 'sk-thread-fix-key-0123456789abcdef',
    });
  });
  afterAll(async () => {
    await server?.stop();
    fake?.close();
    work.remove();
    work2.remove();
  });

  // The admin starts a thread, asks the assistant in it, and waits for the job to end.
  const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    server.request({ method, url: `/api/v1${url}`, token: server.admin.token, body });
  const startThread = async (projectId: string, body: string) =>
    (await api('POST', `/projects/${projectId}/threads`, { path: 'src/config.ts', start_line: 4, body })).json()
      .thread_id as string;
  const askAndWait = async (projectId: string, threadId: string, action: 'explain' | 'suggest_fix') => {
    const asked = await api('POST', `/projects/${projectId}/threads/${threadId}/ai`, { action });
    expect(asked.statusCode, asked.body).toBe(202);
    return eventually(async () => {
      const j = (await api('GET', `/ai/jobs/${asked.json().job_id}`)).json();
      return ['completed', 'failed'].includes(j.status) && j;
    }, 60_000);
  };
  const lastComment = async (threadId: string) => (await api('GET', `/threads/${threadId}`)).json().comments.at(-1);

  it('posts the fix with its suggestion linked, the patch proposed for review', async () => {
    const projectId = await syncedProject(server, server.admin.token, { name: 'fix', repo_url: repo(work.dir) });
    const threadId = await startThread(projectId, 'This throws when config.json is missing.');
    const done = await askAndWait(projectId, threadId, 'suggest_fix');
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const [suggestion] = done.suggestions;
    expect(suggestion).toMatchObject({ state: 'proposed', files: ['src/config.ts'] });
    expect(suggestion.patch).toContain(
      "+  const text = await readFile(`${dir}/config.json`, 'utf8').catch(() => '{}');",
    );
    // The model saw the thread's discussion.
    expect(prompts.at(-1)).toContain('This throws when config.json is missing.');

    const answer = await lastComment(threadId);
    expect(answer.ai).toBe(true);
    expect(answer.body).toContain('A missing file made readFile reject');
    expect(answer.body).toContain(`Suggestion \`${suggestion.id}\``);

    // explain with a model: its text, from the code and the facts the local analysis read off it, marked as its.
    const explained = await askAndWait(projectId, threadId, 'explain');
    expect(explained.status, JSON.stringify(explained.error)).toBe('completed');
    expect(prompts.at(-1)).toContain('export async function loadConfig');
    expect(prompts.at(-1)).toContain('Calls `readFile`, `JSON.parse` and `normalize`.');
    const last = await lastComment(threadId);
    expect(last.body).toContain('It reads config.json under `dir` and rejects when the file is missing.');
    expect(last.body).toContain('_Written by gpt-4o-mini from the code; check it against the code._');
  });

  it('a failed answer is said in the thread, with the reason, and the asker is told', async () => {
    const projectId = await syncedProject(server, server.admin.token, { name: 'fix-fails', repo_url: repo(work2.dir) });
    const threadId = await startThread(projectId, 'Can this be made safe?');
    garble = true;
    try {
      const done = await askAndWait(projectId, threadId, 'suggest_fix');
      expect(done.status).toBe('failed');
      expect(done.suggestions).toEqual([]);
      const last = await lastComment(threadId);
      expect(last.ai).toBe(true);
      expect(last.body).toContain('No answer this time.');
      expect(last.body).toContain('The model did not answer with the JSON asked for.');
      const notes = (await api('GET', '/notifications')).json();
      expect(notes.notifications.map((n: { type: string }) => n.type)).toContain('ai_job_failed');
    } finally {
      garble = false;
    }
  });
});
