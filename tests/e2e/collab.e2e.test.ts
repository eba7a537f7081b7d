import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AuditPage, Notification, Project, Task, TaskList, Thread, ThreadList, User } from '@hivesync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, makeRepo } from '../../apps/server/src/test/git-fixtures.js';
import { eventually, tempDir } from '../../apps/server/src/test/harness.js';
import { runCli, startCli } from '../support/cli.js';
import { spawnServer, type ServerProcess } from '../support/server-process.js';
import { seedEmbeddedDatabase } from '../../apps/server/src/test/pglite-template.js';

const INDEX = [
  'export const answer = 42;',
  '// TODO: document this',
  'export function add(a: number, b: number) {',
  '  return a + b;',
  '}',
  '',
].join('\n');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

describe('threads, tasks and live notifications through the CLI against `npm start`', () => {
  const data = tempDir('hivesync-e2e-collab-data-');
  const home = tempDir('hivesync-e2e-collab-home-');
  const config = { alice: path.join(home.dir, 'alice'), bob: path.join(home.dir, 'bob') };
  const repo = path.join(home.dir, 'repo');
  const lockFile = path.join(data.dir, 'hivesync.lock');
  let server: ServerProcess;
  let first: string;
  let second: string;
  let threadId: string;
  let alice: User;
  const watchers: ChildProcessWithoutNullStreams[] = [];

  const as = (who: keyof typeof config) => ({ server: server.url, configHome: config[who], cwd: home.dir });
  /** Starts `hivesync args… --server URL` as one user (each has their own XDG_CONFIG_HOME). */
  const start = (args: string[], who: keyof typeof config = 'alice') => startCli(args, as(who));
  /** Runs a command to its end. */
  const hivesync = (args: string[], options: { as?: keyof typeof config; stdin?: string } = {}): Promise<Run> =>
    runCli(args, { ...as(options.as ?? 'alice'), stdin: options.stdin });

  /** Runs a command with --json, expects exit 0 and exactly one line of JSON on stdout, and parses it. */
  async function json<T>(args: string[], options: Parameters<typeof hivesync>[1] = {}): Promise<T> {
    const r = await hivesync([...args, '--json'], options);
    expect(r.code, `${args.join(' ')}: ${r.out}${r.err}`).toBe(0);
    expect(r.out.endsWith('\n') && r.out.indexOf('\n') === r.out.length - 1, r.out).toBe(true);
    return JSON.parse(r.out) as T;
  }

  const serverPid = () => Number(fs.readFileSync(lockFile, 'utf8'));

  beforeAll(async () => {
    makeRepo(repo, { 'src/index.ts': INDEX, 'README.md': '# Demo\n' });
    first = commitFiles(repo, { 'CHANGELOG.md': '- first\n' }, 'changelog');
    await seedEmbeddedDatabase(data.dir);
    server = spawnServer({ HIVESYNC_DATA_DIR: data.dir, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' }, { npmStart: true });
    await server.ready;
  });

  afterAll(async () => {
    for (const w of watchers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    // npm does not pass signals on to the server: stop the server process itself (its pid is in its lock file).
    if (fs.existsSync(lockFile)) {
      try {
        process.kill(serverPid(), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (server) {
      const stopped = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
      if (stopped === 'timeout') {
        if (fs.existsSync(lockFile)) process.kill(serverPid(), 'SIGKILL');
        server.proc.kill('SIGKILL');
        await server.exited;
      }
    }
    data.remove();
    home.remove();
  });

  it('two users, a project on a real git repository, synced', async () => {
    alice = (
      await json<{ user: User }>(['register', '--email', 'alice@example.test', '--name', 'Alice', '--password-stdin'], {
        stdin: 'alice has a long password\n',
      })
    ).user;
    expect(alice.role).toBe('admin'); // the first account administers the instance
    await json(['register', '--email', 'bob@example.test', '--name', 'Bob', '--password-stdin'], {
      as: 'bob',
      stdin: 'bob has another long password\n',
    });
    await json<Project>(['projects', 'create', 'demo', '--repo-url', repo]);
    await json(['members', 'add', 'demo', 'bob@example.test', '--role', 'member']);
    expect(await json(['sync', 'demo', '--wait'])).toMatchObject({ status: 'completed', commit: first });
  });

  it('threads create starts a thread on lines; threads lists it', async () => {
    const created = await hivesync(['threads', 'create', 'demo', 'src/index.ts:3-5', 'Should add() handle NaN?']);
    expect(created.code, created.err).toBe(0);
    const id = /^Started thread (\S+) on src\/index\.ts:3-5\.\n$/.exec(created.out)?.[1];
    expect(id).toBeDefined();
    threadId = id!;

    const listed = await hivesync(['threads', 'demo']);
    expect(listed.code, listed.err).toBe(0);
    // Tables show the first 8 characters of an id; every command takes them back.
    expect(listed.out).toBe(
      `src/index.ts:3-5  [current]  Should add() handle NaN?  (1 comment)  ${threadId.slice(0, 8)}\n`,
    );

    const { threads } = await json<ThreadList>(['threads', 'demo']);
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({
      thread_id: threadId,
      state: 'open',
      anchor: { path: 'src/index.ts', commit: first, start_line: 3, end_line: 5 },
      position: { commit: first, path: 'src/index.ts', start_line: 3, end_line: 5, status: 'current', reason: null },
      comment_count: 1,
    });
    expect(threads[0]!.anchor.text).toBe('export function add(a: number, b: number) {\n  return a + b;\n}');
  });

  it('after a commit inserts lines above the code and a sync, the thread follows its code', async () => {
    second = commitFiles(repo, { 'src/index.ts': `// one\n// two\n// three\n${INDEX}` }, 'insert lines above');
    expect(await json(['sync', 'demo', '--wait'])).toMatchObject({ status: 'completed', commit: second });

    const { threads } = await json<ThreadList>(['threads', 'demo']);
    expect(threads[0]!.position).toEqual({
      commit: second,
      path: 'src/index.ts',
      start_line: 6,
      end_line: 8,
      status: 'current',
      reason: null,
    });
    expect(threads[0]!.anchor).toMatchObject({ commit: first, start_line: 3, end_line: 5 });
    // At the first commit it is still where it was written.
    const then = await json<ThreadList>(['threads', 'demo', '--commit', first]);
    expect(then.threads[0]!.position).toMatchObject({ commit: first, start_line: 3, end_line: 5 });
  });

  it('threads show prints the code where it is now, its lines marked, and the comments', async () => {
    const shown = await hivesync(['threads', 'show', threadId.slice(0, 8)]);
    expect(shown.code, shown.err).toBe(0);
    const lines = shown.out.split('\n');
    expect(lines[0]).toBe(`src/index.ts:6-8  [current]  at ${second.slice(0, 7)}`);
    expect(lines[1]).toBe(`thread ${threadId}, written on src/index.ts:3-5 at ${first.slice(0, 7)}`);
    expect(lines.slice(3, 10)).toEqual([
      '  4  export const answer = 42;',
      '  5  // TODO: document this',
      '> 6  export function add(a: number, b: number) {',
      '> 7    return a + b;',
      '> 8  }',
      '',
      'Alice · just now',
    ]);
    expect(lines[10]).toBe('  Should add() handle NaN?');
  });

  it('notifications --watch receives another user’s reply and assignment as they happen, and Ctrl-C exits 0', async () => {
    const watch = start(['notifications', '--watch', '--json']);
    watchers.push(watch);
    let out = '';
    let err = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    watch.stderr.on('data', (d: Buffer) => (err += d.toString()));
    watch.stdin.end();
    const exited = new Promise<number | null>((resolve) => watch.once('close', (code) => resolve(code)));
    const received = () =>
      out
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Notification);

    // Alice has sync notifications: the latest page is printed once the stream is open.
    await eventually(async () => received().some((n) => n.type === 'repo_sync_success'), 10_000);

    const replied = await hivesync(['threads', 'reply', threadId, 'NaN + 1 is NaN, so it passes through.'], {
      as: 'bob',
    });
    expect(replied.code, replied.err).toBe(0);
    const task = await json<Task>(
      ['tasks', 'create', 'demo', 'Handle NaN in add()', '--assign', 'alice@example.test', '--thread', threadId],
      { as: 'bob' },
    );
    expect(task).toMatchObject({ assignee_id: alice.id, thread_id: threadId, status: 'todo' });

    // Pushed, not polled (a poll would come 45 s later): both arrive within seconds.
    const live = await eventually(async () => {
      const got = received();
      const reply = got.find((n) => n.type === 'thread_reply');
      const assigned = got.find((n) => n.type === 'task_assigned');
      return reply && assigned && { reply, assigned };
    }, 5_000);
    expect(live.reply.payload).toMatchObject({ thread_id: threadId });
    expect(live.assigned.payload).toMatchObject({ task_id: task.task_id, title: 'Handle NaN in add()' });
    expect(live.reply.user_id).toBe(alice.id);
    // Each notification once, one JSON object a line, and no fallback to polling.
    const ids = received().map((n) => n.notification_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(err).not.toMatch(/polling/);

    watch.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('threads reply and resolve; a resolved thread leaves the open list', async () => {
    const replied = await json<Thread>(['threads', 'reply', threadId, 'Agreed; a test will say so.']);
    expect(replied).toMatchObject({ thread_id: threadId, comment_count: 3 });
    expect(replied.comments?.map((c) => [c.author_name, c.ai])).toEqual([
      ['Alice', false],
      ['Bob', false],
      ['Alice', false],
    ]);

    const resolved = await hivesync(['threads', 'resolve', threadId]);
    expect(resolved).toMatchObject({ code: 0, out: `Resolved thread ${threadId} on src/index.ts:6-8.\n` });
    expect(await hivesync(['threads', 'demo'])).toMatchObject({ code: 0, out: 'No open threads in demo.\n' });
    const all = await hivesync(['threads', 'demo', '--state', 'all']);
    expect(all.out).toMatch(/^src\/index\.ts:6-8 +\[current, resolved\] +Should add\(\) handle NaN\? +\(3 comments\)/);
  });

  it('tasks lists the task with its assignee; --mine finds it for the assignee only', async () => {
    const listed = await hivesync(['tasks', 'demo']);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toMatch(/^ID +STATUS +TITLE +ASSIGNEE +ON +UPDATED\n/);
    expect(listed.out).toMatch(
      new RegExp(`todo +Handle NaN in add\\(\\) +alice@example\\.test +thread ${threadId.slice(0, 8)}`),
    );

    expect((await json<TaskList>(['tasks', 'demo', '--mine'])).tasks.map((t) => t.title)).toEqual([
      'Handle NaN in add()',
    ]);
    expect((await json<TaskList>(['tasks', 'demo', '--mine'], { as: 'bob' })).tasks).toEqual([]);
  });

  it('audit shows what happened to an admin, and is refused to anyone else', async () => {
    const page = await json<AuditPage>(['audit', '--action', 'member.*', '--since', '1h']);
    expect(page.entries.map((e) => [e.action, e.actor_email])).toContainEqual(['member.added', 'alice@example.test']);
    const table = await hivesync(['audit', '--limit', '5']);
    expect(table.out).toMatch(/^TIME \(UTC\) +ACTOR +ACTION +TARGET +PROJECT +IP +DETAILS\n/);
    const refused = await hivesync(['audit'], { as: 'bob' });
    expect(refused).toMatchObject({ code: 1, out: '' });
    // Admin routes answer 404 to everyone else (they do not say they exist).
    expect(refused.err).toMatch(/^hivesync: not_found: /);
  });
});
