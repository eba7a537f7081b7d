import path from 'node:path';
import { errors } from '@hivesync/core';

/**
 * Normalizes a repository path from a client and proves it names something inside the repository: relative,
 * no `..`, no NUL, no `.git`, `/`-separated. Returns '' for the root. Throws validation_error otherwise.
 */
export function normalizeRepoPath(input: string | undefined, field = 'path'): string {
  if (input === undefined || input === '' || input === '.' || input === '/') return '';
  const bad = (reason: string) => errors.validation(`${field}: ${reason}`, { field });
  if (input.includes('\0')) throw bad('must not contain a NUL byte');
  if (hasControlCharacters(input)) throw bad('must not contain control characters');
  if (input.includes('\\')) throw bad('use / to separate directories');
  // git runs with literal pathspecs, so these could only name odd files; a client sending them means magic.
  if (/^:[(!^/]/.test(input)) {
    throw bad('git pathspec magic (such as ":(glob)", ":(exclude)" or ":!x") is not accepted; name a path');
  }
  if (input.startsWith('/') || /^[A-Za-z]:/.test(input)) throw bad('must be relative to the repository root');
  const segments = input.split('/');
  if (segments.includes('..')) throw bad('must not contain ".."');
  const normalized = path.posix.normalize(input).replace(/\/+$/, '').replace(/^\.\//, '');
  if (normalized === '.' || normalized === '') return '';
  if (normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) {
    throw bad('must stay inside the repository');
  }
  if (normalized.split('/').some((s) => s.toLowerCase() === '.git')) throw bad('.git is never served');
  return normalized;
}

/** Whether a string holds an ASCII control character (NUL to US, or DEL). */
export function hasControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
