import { execFile } from 'node:child_process';

// The working copy's git facts for the editor clients (Node.js only: `@hivesync/editor/git`, kept out of the package's
// main entry, which does no I/O).

/**
 * Runs git with an argument array (never a shell) in `cwd`; resolves with stdout, or undefined when git failed. Only
 * local, non-localised plumbing output is read (rev-parse, remote -v), so the environment is passed as it is.
 */
export function git(cwd: string, ...args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim()),
    );
  });
}

/** The top of the git working copy containing `dir`, or undefined. */
export function gitTop(dir: string): Promise<string | undefined> {
  return git(dir, 'rev-parse', '--show-toplevel');
}

/** The remote URLs of a working copy, origin first. */
export async function gitRemotes(top: string): Promise<string[]> {
  const out = await git(top, 'remote', '-v');
  if (!out) return [];
  const urls: { name: string; url: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+\(fetch\)$/.exec(line);
    if (m) urls.push({ name: m[1]!, url: m[2]! });
  }
  urls.sort((a, b) => (a.name === 'origin' ? -1 : b.name === 'origin' ? 1 : 0));
  return urls.map((u) => u.url);
}

/** The commit checked out, or undefined. */
export function gitHead(top: string): Promise<string | undefined> {
  return git(top, 'rev-parse', 'HEAD');
}
