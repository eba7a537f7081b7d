import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errors } from '@hivesync/core';
import type { LocalFile, LocalGitState } from '@hivesync/sdk';
import { runGit } from './git.js';
import { realFolder } from './mappings.js';

/** The most files one listing hashes; a larger folder is refused rather than hashed for minutes. */
export const MAX_FILES = 50_000;

/**
 * A relative path as the server writes it: `/` separators, no `.` or empty segments, Unicode NFC (macOS file
 * systems hand out NFD, so the same name would otherwise hash to two paths). Null for a path leaving the folder.
 */
export function normalizeRelativePath(p: string): string | null {
  const parts = p
    .normalize('NFC')
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..') || parts.length === 0) return null;
  return parts.join('/');
}

/**
 * The files of a folder with their size and SHA-256, sorted by path: in a git repository the tracked and untracked
 * files that .gitignore does not exclude (what a manifest or a preview would send), elsewhere every regular file
 * but `.git` and `node_modules`. Symbolic links are left out, so nothing outside the folder is ever read.
 * `only` limits it to the given relative paths.
 */
export async function listFiles(folder: string, only?: string[]): Promise<LocalFile[]> {
  const root = await realFolder(folder);
  let names: string[];
  if (only !== undefined) {
    names = only.map((p) => {
      const n = normalizeRelativePath(p);
      if (n === null) throw errors.validation(`${p} is not a path inside the folder.`, { field: 'paths' });
      return n;
    });
  } else {
    const git = await runGit(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']).catch(
      () => undefined,
    );
    names = git !== undefined ? git.split('\0').filter(Boolean) : await walk(root);
  }
  if (names.length > MAX_FILES) {
    throw errors.validation(`${root} has more than ${MAX_FILES} files; list fewer with paths.`, { field: 'folder' });
  }
  const files: LocalFile[] = [];
  for (const name of new Set(names.map((n) => normalizeRelativePath(n)).filter((n): n is string => n !== null))) {
    const full = path.join(root, ...name.split('/'));
    const stat = await fs.lstat(full).catch(() => undefined);
    if (!stat?.isFile()) continue;
    files.push({ path: name, size: stat.size, sha256: await sha256(full) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The branch, HEAD, upstream distance and changed files of a git working tree. */
export async function gitState(folder: string): Promise<LocalGitState> {
  const root = await realFolder(folder);
  let out: string;
  try {
    out = await runGit(root, ['status', '--porcelain=v1', '-z', '--branch', '--untracked-files=all']);
  } catch {
    throw errors.validation(`${root} is not a git repository.`, { field: 'folder', reason: 'not_a_git_repository' });
  }
  const entries = out.split('\0');
  const header = entries.shift() ?? '';
  const state: LocalGitState = {
    folder: root,
    branch: null,
    head: null,
    upstream: null,
    ahead: 0,
    behind: 0,
    dirty: [],
  };
  // From plumbing rather than the (translated) words of the status header.
  state.branch = (await runGit(root, ['symbolic-ref', '-q', '--short', 'HEAD']).catch(() => '')).trim() || null;
  state.upstream = /^## \S+?\.\.\.(\S+)/.exec(header)?.[1] ?? null;
  if (state.upstream !== null) {
    const counts = await runGit(root, ['rev-list', '--left-right', '--count', 'HEAD...@{upstream}']).catch(() => '');
    const m = /^(\d+)\s+(\d+)/.exec(counts.trim());
    if (m) {
      state.ahead = Number(m[1]);
      state.behind = Number(m[2]);
    }
  }
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.length < 4) continue;
    const status = e.slice(0, 2);
    const p = normalizeRelativePath(e.slice(3));
    if (p !== null) state.dirty.push({ path: p, status });
    // A rename or copy is followed by its source path.
    if (status[0] === 'R' || status[0] === 'C') i++;
  }
  state.head = (await runGit(root, ['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim() || null;
  return state;
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .once('end', () => resolve(hash.digest('hex')))
      .once('error', reject);
  });
}

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
    if (entry.name === '.git' || entry.name === 'node_modules') continue;
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(root, child)));
    else if (entry.isFile()) out.push(child);
    if (out.length > MAX_FILES) break;
  }
  return out;
}
