import fs from 'node:fs';
import path from 'node:path';
import type { AiJob, Project, Sync } from '@hivesync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../apps/server/src/test/git-fixtures.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';
import { runCli, type CliRun } from '../support/cli.js';
import { spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';

/**
 * The README's first hour, on a real repository (express: 11.5k commits, default branch `master`), against a
 * server started with `npm start` and nothing else set: link a local repository, sync, search, a doc suggestion
 * applied to a working copy, a comment thread.
 */
describe.skipIf(skipWithoutTestRepos('express'))('the first hour, as the README tells it', () => {
  const data = tempDir('hivesync-first-hour-data-');
  const home = tempDir('hivesync-first-hour-home-');
  let server: ServerProcess;
  let remote: string;
  let checkout: string;

  const hivesync = (args: string[], stdin?: string, cwd = home.dir): Promise<CliRun> =>
    runCli(args, { server: server.url, configHome: path.join(home.dir, 'config'), cwd, stdin });

  async function json<T>(args: string[], cwd?: string): Promise<T> {
    const r = await hivesync([...args, '--json'], undefined, cwd);
    expect(r.code, `${args.join(' ')}: ${r.out}${r.err}`).toBe(0);
    return JSON.parse(r.out) as T;
  }

  beforeAll(async () => {
    remote = cloneTestRepo('express', home.dir);
    checkout = path.join(home.dir, 'express');
    git(home.dir, 'clone', '-q', remote, checkout);
    // Only what the quick start sets: a data directory of its own and a free port. No HIVESYNC_ALLOW_LOCAL_REPOS.
    server = spawnServer({ HIVESYNC_DATA_DIR: data.dir }, { npmStart: true });
    await server.ready;
  });

  afterAll(async () => {
    await stopServer(server);
    data.remove();
    home.remove();
  });

  it('registers, links the local clone without any setting, and follows its default branch', async () => {
    const registered = await hivesync(
      ['register', '--email', 'new@example.test', '--password-stdin'],
      'first hour pw\n',
    );
    expect(registered.code, registered.err).toBe(0);

    const created = await hivesync(['projects', 'create', 'express', '--repo-url', remote]);
    expect(created.code, created.err).toBe(0);
    const shown = await hivesync(['projects', 'show', 'express']);
    expect(shown.out).toMatch(/branch\s+remote default \(found at the first sync\)/);
  });

  it('syncs the whole history and mirrors master, the remote default', async () => {
    const sync = await json<Sync>(['sync', 'express', '--wait']);
    expect(sync).toMatchObject({ status: 'completed', commit: git(remote, 'rev-parse', 'master') });
    const project = await json<Project>(['projects', 'show', 'express']);
    expect(project).toMatchObject({ branch: 'master', follows_default_branch: true });
  });

  it('searches it', async () => {
    const found = await hivesync(['search', 'express', 'res.send = function send']);
    expect(found.code, found.err).toBe(0);
    expect(found.out).toMatch(/^lib\/response\.js:\d+:\d+:res\.send = function send\(body\) \{$/m);
  });

  it('documents an undocumented function and applies the suggestion to a working copy', async () => {
    const line = fs
      .readFileSync(path.join(checkout, 'lib/response.js'), 'utf8')
      .split('\n')
      .findIndex((l) => l.startsWith('function sendfile('));
    expect(line).toBeGreaterThan(0);
    const job = await json<AiJob>(['doc', 'express', `lib/response.js:${line + 1}`]);
    expect(job.status).toBe('completed');
    const [suggestion] = job.suggestions;
    expect(suggestion, JSON.stringify(job)).toBeDefined();

    const applied = await hivesync(['apply', suggestion!.id, '--yes'], undefined, checkout);
    expect(applied.code, applied.out + applied.err).toBe(0);
    const diff = git(checkout, 'diff', 'HEAD', '--', 'lib/response.js');
    expect(diff).toMatch(/^\+\s*\*\s*@param/m);
    // Only comment lines were added.
    const added = diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'));
    expect(
      added.every((l) => /^\+\s*(\/\*\*|\*)/.test(l)),
      added.join('\n'),
    ).toBe(true);
  });

  it('starts a comment thread on a line', async () => {
    const created = await hivesync(['threads', 'create', 'express', 'lib/response.js:10', 'Is this still needed?']);
    expect(created.code, created.err).toBe(0);
    const listed = await hivesync(['threads', 'express']);
    expect(listed.out).toContain('lib/response.js');
    expect(listed.out).toContain('Is this still needed?');
  });

  it('serves a home page at / instead of JSON', async () => {
    const res = await fetch(server.url);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('HiveSync');
  });
});
