import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeRepoUrl } from './git.js';
import { versionsCompatible } from './health-local.js';
import { gitState, listFiles, normalizeRelativePath } from './local.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hivesync-local-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], { cwd }).toString();

describe('normalizeRepoUrl', () => {
  it('reads https, ssh, scp-like and .git forms of one repository as the same', () => {
    const forms = [
      'https://github.com/Owner/repo.git',
      'https://user@GitHub.com/Owner/repo/',
      'ssh://git@github.com/Owner/repo.git',
      'git@github.com:Owner/repo.git',
      'github.com:Owner/repo',
    ];
    expect(new Set(forms.map(normalizeRepoUrl))).toEqual(new Set(['github.com/Owner/repo']));
    expect(normalizeRepoUrl('https://github.com/owner/other')).not.toBe(normalizeRepoUrl(forms[0]!));
    expect(normalizeRepoUrl('/srv/repos/demo.git/')).toBe('/srv/repos/demo');
    expect(normalizeRepoUrl('file:///srv/repos/demo')).toBe('/srv/repos/demo');
  });
});

describe('normalizeRelativePath', () => {
  it('writes paths as the server does and refuses ones that leave the folder', () => {
    expect(normalizeRelativePath('src\\util\\./a.ts')).toBe('src/util/a.ts');
    // NFD (as macOS hands names out) becomes NFC.
    expect(normalizeRelativePath('cafe\u0301.txt')).toBe('caf\u00e9.txt');
    expect(normalizeRelativePath('../etc/passwd')).toBeNull();
    expect(normalizeRelativePath('a/../../b')).toBeNull();
  });
});

describe('listFiles and gitState', () => {
  it('hashes what git would send (not ignored files, not symlinks) and reports branch and dirty files', async () => {
    const repo = path.join(root, 'repo');
    fs.mkdirSync(path.join(repo, 'src'), { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(repo, '.gitignore'), 'dist/\n');
    fs.writeFileSync(path.join(repo, 'src', 'a.ts'), 'a\n');
    fs.mkdirSync(path.join(repo, 'dist'));
    fs.writeFileSync(path.join(repo, 'dist', 'out.js'), 'built\n');
    fs.symlinkSync('/etc/hostname', path.join(repo, 'link'));
    git(repo, 'add', '.gitignore', 'src');
    git(repo, 'commit', '-q', '-m', 'first');
    fs.writeFileSync(path.join(repo, 'new.txt'), 'new\n');
    fs.writeFileSync(path.join(repo, 'src', 'a.ts'), 'changed\n');

    const files = await listFiles(repo);
    expect(files.map((f) => f.path)).toEqual(['.gitignore', 'new.txt', 'src/a.ts']);
    const a = files.find((f) => f.path === 'src/a.ts')!;
    expect(a).toEqual({
      path: 'src/a.ts',
      size: 8,
      sha256: crypto.createHash('sha256').update('changed\n').digest('hex'),
    });
    expect((await listFiles(repo, ['src/a.ts'])).map((f) => f.path)).toEqual(['src/a.ts']);
    await expect(listFiles(repo, ['../x'])).rejects.toMatchObject({ code: 'validation_error' });

    const state = await gitState(repo);
    expect(state.branch).toBe('main');
    expect(state.head).toMatch(/^[0-9a-f]{40}$/);
    expect(state.dirty).toEqual(
      expect.arrayContaining([
        { path: 'src/a.ts', status: ' M' },
        { path: 'new.txt', status: '??' },
      ]),
    );
    const plain = path.join(root, 'plain');
    fs.mkdirSync(plain);
    await expect(gitState(plain)).rejects.toMatchObject({ code: 'validation_error' });
    await expect(listFiles('relative/path')).rejects.toMatchObject({ code: 'validation_error' });
  });
});

describe('versionsCompatible', () => {
  it('wants the same major version, and the same minor while the major is 0', () => {
    expect(versionsCompatible('1.4.0', '1.0.2')).toBe(true);
    expect(versionsCompatible('2.0.0', '1.9.0')).toBe(false);
    expect(versionsCompatible('0.1.5', '0.1.0')).toBe(true);
    expect(versionsCompatible('0.2.0', '0.1.0')).toBe(false);
    expect(versionsCompatible('dev', '0.1.0')).toBe(false);
  });
});
