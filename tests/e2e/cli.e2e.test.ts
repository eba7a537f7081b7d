import fs from 'node:fs';
import path from 'node:path';
import type { Member, Notification, Project, Sync, Tree, User } from '@hivesync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, git, makeRepo } from '../../apps/server/src/test/git-fixtures.js';
import { eventually, tempDir } from '../../apps/server/src/test/harness.js';
import { runCli } from '../support/cli.js';
import { spawnServer, type ServerProcess } from '../support/server-process.js';

const FILES = {
  'README.md': '# Demo\n\nHello mirror.\n',
  'src/index.ts': 'export const answer = 42;\n// TODO: document this\n',
  'src/util/math.ts': 'export const add = (a: number, b: number) => a + b;\n',
  // A space, parentheses, `#` and non-ASCII: all must survive the query string.
  'docs/guide (v2) #1.md': 'Ünïcödé guide, 100% ready\n',
  // Every byte value: what a text decoding anywhere on the way would mangle.
  'assets/logo.png': Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  ]),
  // A UTF-8 byte-order mark and CRLF line ends.
  'bom.txt': Buffer.from('\ufeffwindows text\r\nsecond line\r\n'),
  // No final newline.
  'plain.txt': 'no newline at the end',
};

interface Run {
  code: number | null;
  stdout: Buffer;
  out: string;
  err: string;
}

describe('the hivesync CLI against `npm start`', () => {
  const data = tempDir('hivesync-e2e-data-');
  const home = tempDir('hivesync-e2e-home-');
  const config = { alice: path.join(home.dir, 'alice'), bob: path.join(home.dir, 'bob') };
  const repo = path.join(home.dir, 'repo');
  const lockFile = path.join(data.dir, 'hivesync.lock');
  let server: ServerProcess;
  let head: string;
  let projectId: string;

  /** Runs `hivesync args… --server URL` as one user (each has their own XDG_CONFIG_HOME). */
  const hivesync = (args: string[], options: { as?: keyof typeof config; stdin?: string } = {}): Promise<Run> =>
    runCli(args, {
      server: server.url,
      configHome: config[options.as ?? 'alice'],
      cwd: home.dir,
      stdin: options.stdin,
    });

  /** Runs a command with --json, expects exit 0 and exactly one line of JSON on stdout, and parses it. */
  async function json<T>(args: string[], options: Parameters<typeof hivesync>[1] = {}): Promise<T> {
    const r = await hivesync([...args, '--json'], options);
    expect(r.code, `${args.join(' ')}: ${r.out}${r.err}`).toBe(0);
    expect(r.out.endsWith('\n') && r.out.indexOf('\n') === r.out.length - 1, r.out).toBe(true);
    return JSON.parse(r.out) as T;
  }

  /** The pid of the server process itself (npm and a shell sit between it and us): it writes it in its lock. */
  const serverPid = () => Number(fs.readFileSync(lockFile, 'utf8'));

  beforeAll(async () => {
    makeRepo(repo, FILES);
    head = commitFiles(repo, { 'CHANGELOG.md': '- first release\n' }, 'changelog');
    // Started exactly as the README says: `npm start` (which builds first), on a free port.
    server = spawnServer({ HIVESYNC_DATA_DIR: data.dir, HIVESYNC_ALLOW_LOCAL_REPOS: 'true' }, { npmStart: true });
    await server.ready;
  });

  afterAll(async () => {
    // Only when a test failed before the shutdown test: stop the server itself, not just npm (see the last test).
    if (fs.existsSync(lockFile)) {
      try {
        process.kill(serverPid(), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) {
      server.proc.kill('SIGKILL');
      await server.exited;
    }
    data.remove();
    home.remove();
  });

  it('register → whoami, with the credentials file private to the user', async () => {
    const registered = await json<{ server: string; user: User }>(
      ['register', '--email', 'alice@example.test', '--name', 'Alice', '--password-stdin'],
      { stdin: 'alice has a long password\n' },
    );
    expect(registered).toMatchObject({ server: server.url, user: { email: 'alice@example.test', role: 'admin' } });

    const file = path.join(config.alice, 'hivesync', 'credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('alice has a long password');

    const whoami = await hivesync(['whoami']);
    expect(whoami).toMatchObject({ code: 0, out: `alice@example.test (Alice, instance admin) on ${server.url}\n` });
    expect(await json<User>(['whoami'])).toEqual(registered.user);

    const bob = await json<{ user: User }>(['register', '--email', 'bob@example.test', '--password-stdin'], {
      as: 'bob',
      stdin: 'bob has another long password',
    });
    expect(bob.user).toMatchObject({ email: 'bob@example.test', display_name: 'bob', role: 'user' });
  });

  it('projects create with a real git repository, then members add/list by project name', async () => {
    const project = await json<Project>(['projects', 'create', 'demo', '--repo-url', repo, '--sync-interval', '60']);
    expect(project).toMatchObject({
      name: 'demo',
      repo_url: repo,
      branch: 'main',
      role: 'owner',
      last_commit: null,
      sync_interval_minutes: 60,
    });
    projectId = project.id;

    const added = await hivesync(['members', 'add', 'demo', 'bob@example.test', '--role', 'member']);
    expect(added).toMatchObject({ code: 0, out: 'Added bob@example.test to project demo as member.\n' });
    const { members } = await json<{ members: Member[] }>(['members', 'list', 'demo']);
    expect(members.map((m) => [m.email, m.role]).sort()).toEqual([
      ['alice@example.test', 'owner'],
      ['bob@example.test', 'member'],
    ]);
    const listed = await hivesync(['members', 'list', projectId]);
    expect(listed.out).toMatch(/^USER ID +EMAIL +NAME +ROLE +ADDED\n/);
    expect(listed.out).toMatch(/bob@example\.test +bob +member/);
  });

  it('reads before the first sync answer repo_not_synced (exit 1)', async () => {
    const r = await hivesync(['tree', 'demo', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'repo_not_synced', status: 409 } });
  });

  it('sync --wait follows the stages and reports the repository HEAD', async () => {
    const r = await hivesync(['sync', 'demo', '--wait']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Synced demo to commit ${head} in \\d+\\.\\d s\\.\\n$`));
    // stderr is not a terminal: one plain line per stage seen, from queued to completed.
    const stages = r.err
      .trim()
      .split('\n')
      .map((line) => /^sync demo: (\w+) \(\d+\.\d s\)$/.exec(line)?.[1]);
    expect(stages[0]).toBe('queued');
    expect(stages.at(-1)).toBe('completed');
    expect(stages.every((s) => s !== undefined)).toBe(true);

    // Again, by id and in JSON: the final Sync object.
    const again = await json<Sync>(['sync', projectId, '--wait']);
    expect(again).toMatchObject({ project_id: projectId, status: 'completed', commit: head, error: null });
    expect(again.duration_ms).toBeGreaterThanOrEqual(0);
    expect(await json<Project>(['projects', 'show', 'demo'])).toMatchObject({ last_commit: head });
  });

  it('tree lists like ls; --json is the API object', async () => {
    const root = await hivesync(['tree', 'demo']);
    expect(root.code).toBe(0);
    const size = (file: keyof typeof FILES) => Buffer.byteLength(FILES[file]);
    // Small files: their sizes spelled out in bytes.
    const bytes = (n: number) => `${n} ${n === 1 ? 'byte' : 'bytes'}`;
    expect(root.out.split('\n').map((l) => l.trim())).toEqual([
      `${bytes(Buffer.byteLength('- first release\n'))}  CHANGELOG.md`,
      `${bytes(size('README.md'))}  README.md`,
      'assets/',
      `${bytes(size('bom.txt'))}  bom.txt`,
      'docs/',
      `${bytes(size('plain.txt'))}  plain.txt`,
      'src/',
      '',
    ]);

    const src = await json<Tree>(['tree', 'demo', 'src']);
    expect(src).toMatchObject({ commit: head, path: 'src' });
    expect(src.entries).toEqual([
      {
        path: 'src/index.ts',
        type: 'file',
        size: size('src/index.ts'),
        hash: git(repo, 'rev-parse', 'HEAD:src/index.ts'),
      },
      { path: 'src/util', type: 'dir' },
    ]);

    const recursive = await hivesync(['tree', 'demo', 'docs', '-r']);
    expect(recursive).toMatchObject({ code: 0, out: `${bytes(size('docs/guide (v2) #1.md'))}  guide (v2) #1.md\n` });
  });

  it('cat writes every file byte for byte: text, binary, a BOM, no final newline, an awkward path', async () => {
    for (const file of Object.keys(FILES) as (keyof typeof FILES)[]) {
      const r = await hivesync(['cat', 'demo', file]);
      expect(r.code, `${file}: ${r.err}`).toBe(0);
      expect(r.stdout.equals(Buffer.from(FILES[file])), file).toBe(true);
      expect(r.err, file).toBe('');
    }
    const logo = await json<{ encoding: string; content: string; size: number }>(['cat', 'demo', 'assets/logo.png']);
    expect(logo).toMatchObject({ encoding: 'base64', size: FILES['assets/logo.png'].length });
    expect(Buffer.from(logo.content, 'base64').equals(FILES['assets/logo.png'])).toBe(true);
  });

  it('search prints grep-style matches, exits 1 on a miss, and works for a member by project name', async () => {
    const hit = await hivesync(['search', 'demo', 'TODO']);
    expect(hit).toMatchObject({ code: 0, out: 'src/index.ts:2:4:// TODO: document this\n', err: '' });

    const miss = await hivesync(['search', 'demo', 'no such text anywhere']);
    expect(miss).toMatchObject({ code: 1, out: '', err: '' });

    const regex = await json<{ commit: string; matches: unknown[]; truncated: boolean }>(
      // Four lines match (two `export`, a TODO, a guide); at most two are sent.
      ['search', 'demo', 'EXPORT|todo|Guide', '-E', '-i', '--limit', '2'],
      { as: 'bob' },
    );
    expect(regex).toMatchObject({ commit: head, truncated: true });
    expect(regex.matches).toHaveLength(2);
    // --count: how many lines match, not the lines (exit 1 on none, like grep -c).
    expect(await hivesync(['search', 'demo', 'EXPORT|todo|Guide', '-E', '-i', '--count'])).toMatchObject({
      code: 0,
      out: '4\n',
    });
    expect(await json<{ count: number }>(['search', 'demo', 'TODO', '-c'])).toEqual({ count: 1 });
    expect((await hivesync(['search', 'demo', 'no such text anywhere', '--count'])).code).toBe(1);
  });

  it('notifications show repo_sync_success', async () => {
    const success = await eventually(async () => {
      const { notifications } = await json<{ notifications: Notification[] }>(['notifications']);
      return notifications.find((n) => n.type === 'repo_sync_success' && n.project_id === projectId);
    }, 10_000);
    expect(success.payload).toMatchObject({ commit: head });
    const human = await hivesync(['notifications']);
    // The project by name (the server puts it in the payload), else its short id; never the full one.
    expect(human.out).toMatch(new RegExp(`repo_sync_success \\[(demo|project ${projectId.slice(0, 8)})\\]`));
  });

  it('status shows the server, the user and the checks', async () => {
    const status = await json<{ server: string; health: { status: string }; user: User | null }>(['status']);
    expect(status).toMatchObject({
      server: server.url,
      health: { status: 'ok' },
      user: { email: 'alice@example.test' },
    });
    const human = await hivesync(['status']);
    expect(human.code).toBe(0);
    expect(human.out).toContain(`server   ${server.url}`);
    expect(human.out).toMatch(/^git +ok /m);
  });

  it('logout, after which whoami exits 3', async () => {
    expect(await json(['logout'])).toEqual({ server: server.url, logged_out: true, revoked: true });
    const whoami = await hivesync(['whoami']);
    expect(whoami).toMatchObject({
      code: 3,
      out: '',
      err: `hivesync: not logged in to ${server.url}: run \`hivesync login\`\n`,
    });
    const file = path.join(config.alice, 'hivesync', 'credentials.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ version: 1, servers: {} });
  });

  it('the server stops cleanly on SIGTERM and exits 0', async () => {
    // SIGTERM goes to the server process itself: npm does not pass it through `sh -c` (it dies and leaves the server
    // running), so that is what a supervisor must signal too. npm then exits with the server's code.
    const pid = serverPid();
    expect(pid).not.toBe(server.proc.pid);
    process.kill(pid, 'SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM: shutting down[\s\S]*stopped/);
    expect(fs.existsSync(lockFile)).toBe(false);
  });
});
