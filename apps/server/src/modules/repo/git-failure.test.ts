import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitError } from '../../infra/git.js';
import { tempDir } from '../../test/harness.js';
import { classifyGitFailure, clearStaleLocks } from './mirror.repository.js';

const failure = (stderr: string, timedOut = false) => new GitError(['fetch'], 128, stderr, timedOut);

/** What git 2.39 printed for each kind of failure (captured from real runs). */
const SAMPLES: [string, string][] = [
  [
    "fatal: unable to access 'http://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1 after 3 ms: Couldn't connect to server",
    'repo_network_error',
  ],
  ["fatal: unable to access 'https://github.com/x/y/': Could not resolve host: github.com", 'repo_network_error'],
  [
    'error: RPC failed; curl 18 transfer closed with outstanding read data remaining\nfatal: early EOF',
    'repo_network_error',
  ],
  ["fatal: Authentication failed for 'https://example.test/r.git/'", 'repo_auth_failed'],
  [
    'git@example.test: Permission denied (publickey).\nfatal: Could not read from remote repository.',
    'repo_auth_failed',
  ],
  ["fatal: repository '/nonexistent/repo' does not exist", 'repo_not_found'],
  [
    "fatal: '/tmp/gsamp/nothere' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.",
    'repo_not_found',
  ],
  ['fatal: Remote branch nope not found in upstream origin', 'repo_branch_not_found'],
  ["fatal: couldn't find remote ref refs/heads/nope", 'repo_branch_not_found'],
  [
    'error: inflate: data stream error (incorrect header check)\nerror: unable to unpack ce013625030ba8dba906f756967f9e9ca394464a header\nfatal: loose object ce013625030ba8dba906f756967f9e9ca394464a (stored in .git/objects/ce/013625030ba8dba906f756967f9e9ca394464a) is corrupt',
    'repo_corrupt',
  ],
  ['fatal: write error: No space left on device', 'storage_full'],
  ["error: unable to write file data/a.bin\nfatal: Could not reset index file to revision 'HEAD'.", 'storage_full'],
  [
    "fatal: the remote end hung up unexpectedly\nfatal: sha1 file '<stdout>' write error: Disk quota exceeded",
    'storage_full',
  ],
  // Nothing known: said as it is, never "corrupt" (which would throw a healthy mirror away).
  ['fatal: this git does something nobody has seen before', 'repo_git_error'],
];

describe('classifyGitFailure', () => {
  it.each(SAMPLES)('%s → %s', (stderr, code) => {
    expect(classifyGitFailure(failure(stderr))).toBe(code);
  });

  it('calls a git stopped at its deadline a timeout', () => {
    expect(classifyGitFailure(failure('', true))).toBe('timeout');
  });
});

describe('clearStaleLocks', () => {
  it('removes lock files older than a sync may take, and says when a younger one remains', async () => {
    const dir = tempDir();
    try {
      const gitDir = path.join(dir.dir, 'mirror.git');
      execFileSync('git', ['init', '-q', '--bare', gitDir]);
      fs.mkdirSync(path.join(gitDir, 'refs', 'heads'), { recursive: true });
      const old = [path.join(gitDir, 'index.lock'), path.join(gitDir, 'refs', 'heads', 'main.lock')];
      for (const lock of old) {
        fs.writeFileSync(lock, '');
        const hourAgo = new Date(Date.now() - 3600_000);
        fs.utimesSync(lock, hourAgo, hourAgo);
      }
      expect(await clearStaleLocks(gitDir, 600_000)).toBe(false);
      for (const lock of old) expect(fs.existsSync(lock), lock).toBe(false);

      const fresh = path.join(gitDir, 'HEAD.lock');
      fs.writeFileSync(fresh, '');
      expect(await clearStaleLocks(gitDir, 600_000)).toBe(true);
      expect(fs.existsSync(fresh)).toBe(true);
    } finally {
      dir.remove();
    }
  });
});
