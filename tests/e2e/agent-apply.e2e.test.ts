import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FileSecretStore, startAgent, type RunningAgent } from '@hivesync/agent';
import { AgentApi, HiveSyncClient, type ApplyConflictDetails, type Suggestion } from '@hivesync/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncedProject } from '../../apps/server/src/test/ai-jobs.js';
import {
  backends,
  registerUser,
  startTestServer,
  tempDir,
  type TestServer,
} from '../../apps/server/src/test/harness.js';
import { cloneTestRepo, skipWithoutTestRepos } from '../../apps/server/src/test/test-repos.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.test', ...args], {
    cwd,
    encoding: 'utf8',
  });

/** An error the SDK threw, with the envelope's fields. */
interface Refusal {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown> & Partial<ApplyConflictDetails>;
}

/**
 * Applying and reverting AI suggestions through the agent: a real server with the offline AI provider, a project of
 * express (a bare clone of ../shared/data/repos/express.git), a working clone of it mapped to the project, and the
 * agent as the desktop app embeds it, called over loopback through the SDK's AgentApi.
 */
describe.skipIf(skipWithoutTestRepos('express'))(
  'applying AI suggestions through the agent',
  { timeout: 240_000 },
  () => {
    const work = tempDir('hivesync-agent-apply-');
    const clone = path.join(work.dir, 'clone');
    const agentDir = path.join(work.dir, 'agent');
    let server: TestServer;
    let agent: RunningAgent;
    let api: AgentApi;
    let client: HiveSyncClient;
    let projectId: string;
    let remote: string;

    const read = (file: string) => fs.readFileSync(path.join(clone, file), 'utf8');
    const write = (file: string, text: string) => fs.writeFileSync(path.join(clone, file), text);
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => {
          throw new Error('expected a refusal');
        },
        (err: unknown) => err as Refusal,
      );

    /** Runs an AI job through the agent and returns its one suggestion, approved. */
    async function approvedSuggestion(body: Record<string, unknown>): Promise<Suggestion> {
      const job = await client.ai.create({ project_id: projectId, ...body } as never);
      const done = await client.ai.waitForJob(job.job_id, { intervalMs: 200 });
      expect(done.status, JSON.stringify(done.error)).toBe('completed');
      const suggestion = done.suggestions![0]!;
      await client.ai.approve(suggestion.id);
      return client.ai.suggestion(suggestion.id);
    }

    beforeAll(async () => {
      server = await startTestServer(backends()[0]!, { HIVESYNC_ALLOW_LOCAL_REPOS: 'true' }, { listen: true });
      remote = cloneTestRepo('express', work.dir);
      projectId = await syncedProject(
        server,
        server.admin.token,
        { name: 'express', repo_url: remote, branch: 'master' },
        240_000,
      );
      execFileSync('git', ['clone', '-q', '--no-hardlinks', '--branch', 'master', remote, clone]);
      fs.mkdirSync(agentDir, { mode: 0o700 });
      agent = await startAgent({
        serverUrl: server.url!,
        dir: agentDir,
        tokens: { accessToken: server.admin.token, refreshToken: null },
        secretStore: new FileSecretStore(path.join(agentDir, 'session.json')),
      });
      api = (await AgentApi.discover({ dir: agentDir }))!;
      client = await api.serverClient();
      await api.putMapping({ folder: clone, project_id: projectId });
      // A server start, a sync of express and a clone take minutes on a loaded 2-core machine.
    }, 400_000);

    afterAll(async () => {
      await agent?.stop();
      await server?.stop();
      work.remove();
    });

    it('applies an approved suggestion three-way onto a file that moved on, records it 0600, and reverts it', async () => {
      const suggestion = await approvedSuggestion({
        action: 'document_function',
        path: 'lib/response.js',
        symbol: 'sendfile',
      });
      // The working copy moved on since the job's commit, on a line of the hunk's context (not one it changes).
      const original = read('lib/response.js');
      const lines = original.split('\n');
      const fn = lines.findIndex((l) => l.startsWith('function sendfile('));
      const touched = fn - 3;
      lines[touched] = `${lines[touched]} // a local edit`;
      write('lib/response.js', lines.join('\n'));
      const before = read('lib/response.js');

      const applied = await api.applySuggestion(suggestion.id);
      expect(applied).toMatchObject({
        suggestion_id: suggestion.id,
        project_id: projectId,
        folder: fs.realpathSync(clone),
        files: [{ path: 'lib/response.js', change: 'modified' }],
        three_way: true,
        suggestion_status: 'applied',
      });
      const after = read('lib/response.js');
      expect(after).toContain('// a local edit');
      expect(after).toMatch(/\/\*\*\n(?: \*.*\n)+ \*\/\nfunction sendfile\(/);
      expect((await client.ai.suggestion(suggestion.id)).state).toBe('applied');
      const record = path.join(agentDir, 'applied', `${suggestion.id}.json`);
      expect(fs.statSync(record).mode & 0o777).toBe(0o600);

      // Applying again is refused: it is applied already.
      expect(await refusal(api.applySuggestion(suggestion.id))).toMatchObject({ status: 409 });

      const reverted = await api.revertSuggestion(suggestion.id);
      expect(reverted).toMatchObject({ suggestion_status: 'reverted', files: [{ path: 'lib/response.js' }] });
      expect(read('lib/response.js')).toBe(before);
      expect(fs.existsSync(record)).toBe(false);
      write('lib/response.js', original);
    });

    it('refuses a patch that clashes with local changes with a conflict body, leaving every file untouched', async () => {
      // A rename across three files (the library, its use and its test); one of them clashes.
      const suggestion = await approvedSuggestion({
        action: 'rename_symbol',
        path: 'lib/utils.js',
        symbol: 'setCharset',
        new_name: 'withCharset',
      });
      expect(suggestion.files.sort()).toEqual(['lib/response.js', 'lib/utils.js', 'test/utils.js']);
      const utils = read('lib/utils.js').replace(
        'exports.setCharset = function setCharset(type, charset) {',
        'exports.setCharset = function setCharsetLocally(type, charset) {',
      );
      write('lib/utils.js', utils);
      const response = read('lib/response.js');
      const test = read('test/utils.js');

      const err = await refusal(api.applySuggestion(suggestion.id, { folder: clone }));
      expect(err).toMatchObject({ status: 409, code: 'conflict' });
      expect(err.message).toContain('nothing was changed');
      expect(err.details.reason).toBe('patch_conflict');
      const file = err.details.files!.find((f) => f.path === 'lib/utils.js')!;
      expect(file.reason).toBe('conflict');
      expect(file.hunks.length).toBeGreaterThan(0);
      expect(file.hunks[0]!.header).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/);
      expect(file.ours).toBe(utils);
      expect(file.theirs).toContain('exports.withCharset = function setCharset(type, charset) {');
      // All or nothing: the file that would have applied is untouched too.
      expect(read('lib/utils.js')).toBe(utils);
      expect(read('lib/response.js')).toBe(response);
      expect(read('test/utils.js')).toBe(test);
      expect((await client.ai.suggestion(suggestion.id)).state).toBe('approved');

      // Once the clash is gone, both files change together.
      git(clone, 'checkout', '--', 'lib/utils.js');
      const applied = await api.applySuggestion(suggestion.id, { folder: clone });
      expect(applied.files.map((f) => f.path).sort()).toEqual(['lib/response.js', 'lib/utils.js', 'test/utils.js']);
      expect(applied.three_way).toBe(false);
      // A semantic rename: the export and every use of it; the local variable holding it keeps its own name.
      expect(read('lib/response.js')).toContain("var setCharset = require('./utils').withCharset;");

      // Edited after the apply: the revert is refused and nothing is touched.
      const edited = `${read('lib/response.js')}\n// edited after the apply\n`;
      write('lib/response.js', edited);
      const changed = await refusal(api.revertSuggestion(suggestion.id));
      expect(changed).toMatchObject({ status: 409, code: 'conflict', details: { reason: 'changed_since_apply' } });
      expect(changed.details.files!.map((f) => f.path)).toEqual(['lib/response.js']);
      expect(changed.details.files![0]!.ours).toBe(edited);
      expect(read('lib/response.js')).toBe(edited);
      expect((await client.ai.suggestion(suggestion.id)).state).toBe('applied');
      git(clone, 'checkout', 'HEAD', '--', 'lib/response.js', 'lib/utils.js', 'test/utils.js'); // index and files
    });

    it('answers bad folders and other people’s suggestions with clear 4xx', async () => {
      const suggestion = await approvedSuggestion({
        action: 'document_function',
        path: 'lib/response.js',
        symbol: 'sendfile',
      });
      const plain = path.join(work.dir, 'plain');
      fs.mkdirSync(plain);
      const notGit = await refusal(api.applySuggestion(suggestion.id, { folder: plain }));
      expect(notGit).toMatchObject({ status: 400, details: { reason: 'not_a_git_repository' } });
      expect(notGit.message).toContain('is not a git repository');

      const other = path.join(work.dir, 'other');
      execFileSync('git', ['init', '-q', other]);
      git(other, 'remote', 'add', 'origin', 'https://github.com/someone/else.git');
      const mismatch = await refusal(api.applySuggestion(suggestion.id, { folder: other }));
      expect(mismatch).toMatchObject({ status: 409, details: { reason: 'remote_mismatch' } });
      expect(mismatch.message).toContain('someone/else');

      expect(await refusal(api.applySuggestion(suggestion.id, { folder: 'relative/path' }))).toMatchObject({
        status: 400,
      });

      // A folder mapped to another project: the suggestion is not there.
      const second = await client.projects.create({ name: 'elsewhere' });
      await api.putMapping({ folder: other, project_id: second.id, force: true });
      expect(await refusal(api.applySuggestion(suggestion.id, { folder: other }))).toMatchObject({ status: 404 });

      // Someone else's suggestion, in a project the agent's user is not a member of.
      const bob = await registerUser(server);
      const bobs = new HiveSyncClient({ baseUrl: server.url!, accessToken: bob.token });
      const bobProject = await syncedProject(
        server,
        bob.token,
        { name: 'bobs', repo_url: remote, branch: 'master' },
        240_000,
      );
      const job = await bobs.ai.create({
        project_id: bobProject,
        action: 'document_function',
        path: 'lib/response.js',
        symbol: 'sendfile',
      });
      const done = await bobs.ai.waitForJob(job.job_id, { intervalMs: 200 });
      const bobsSuggestion = done.suggestions![0]!.id;
      await bobs.ai.approve(bobsSuggestion);
      expect(await refusal(api.applySuggestion(bobsSuggestion))).toMatchObject({ status: 404, code: 'not_found' });
      expect(await refusal(api.applySuggestion('../../etc/passwd'))).toMatchObject({ status: 404 });
      expect(read('lib/response.js')).toBe(git(clone, 'show', 'HEAD:lib/response.js'));
    });
  },
);
