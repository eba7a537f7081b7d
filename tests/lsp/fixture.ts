import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { HiveSyncClient } from '../../packages/sdk/src/index.js';
import { tempDir } from '../../apps/server/src/test/harness.js';
import { cloneTestRepo } from '../../apps/server/src/test/test-repos.js';
import { runCli } from '../support/cli.js';
import { spawnServer, stopServer, type ServerProcess } from '../support/server-process.js';

/**
 * What the editor tests share: a real server on an express clone, Ada logged in with the CLI (the credentials the
 * language server reads; no agent runs), the project made from the clone's remote and synced, Grace a member
 * acting through the SDK, and a working copy (a git clone) for the editor.
 */
export interface EditorFixture {
  server: ServerProcess;
  home: string;
  configHome: string;
  /** The working copy the editor opens files of. */
  workspace: string;
  /** The bare repository the project mirrors (the working copy's origin). */
  remote: string;
  ada: HiveSyncClient;
  grace: HiveSyncClient;
  projectId: string;
  /** The language server's environment: HOME, the CLI's config home, and an agent directory with no agent. */
  lspEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Sets up an EditorFixture; `name` keeps the accounts of concurrent files apart. */
export async function editorFixture(name: string): Promise<EditorFixture> {
  const data = tempDir(`hivesync-${name}-data-`);
  const homeDir = tempDir(`hivesync-${name}-home-`);
  const home = homeDir.dir;
  const configHome = path.join(home, '.config');
  const remote = cloneTestRepo('express', home);
  const workspace = path.join(home, 'express');
  execFileSync('git', ['clone', '-q', remote, workspace]);
  const server = spawnServer({ HIVESYNC_DATA_DIR: data.dir });
  await server.ready;
  const password = `${name} editor password`;
  const adaEmail = `ada-${name}@example.test`;
  const registered = await runCli(['register', '--email', adaEmail, '--name', 'Ada', '--password-stdin'], {
    server: server.url,
    configHome,
    cwd: home,
    stdin: password,
  });
  expect(registered.code, registered.err).toBe(0);
  const ada = new HiveSyncClient({ baseUrl: server.url });
  await ada.auth.login({ email: adaEmail, password });
  const projectId = (await ada.projects.create({ name: 'express', repo_url: remote })).id;
  const grace = new HiveSyncClient({ baseUrl: server.url });
  await grace.auth.register({ email: `grace-${name}@example.test`, password, display_name: 'Grace' });
  await ada.members.add(projectId, { email: `grace-${name}@example.test`, role: 'member' });
  const sync = await ada.repo.sync(projectId);
  const done = await ada.repo.waitForSync(sync.sync_id);
  expect(done.status, JSON.stringify(done.error)).toBe('completed');
  const noAgent = path.join(home, 'no-agent');
  fs.mkdirSync(noAgent);
  return {
    server,
    home,
    configHome,
    workspace,
    remote,
    ada,
    grace,
    projectId,
    lspEnv: { HOME: home, XDG_CONFIG_HOME: configHome, HIVESYNC_AGENT_DIR: noAgent },
    async close() {
      await stopServer(server);
      data.remove();
      homeDir.remove();
    },
  };
}

/** A file's text after `git apply` of `patch` in a scratch clone of `remote` at `commit` (the independent check). */
export function gitApplied(remote: string, commit: string, patch: string, file: string, scratchParent: string): string {
  const dir = fs.mkdtempSync(path.join(scratchParent, 'apply-'));
  execFileSync('git', ['clone', '-q', '--no-checkout', remote, dir]);
  execFileSync('git', ['checkout', '-q', commit], { cwd: dir });
  execFileSync('git', ['apply', '-'], { cwd: dir, input: patch });
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  return text;
}
