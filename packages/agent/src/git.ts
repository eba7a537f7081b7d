import { execFile } from 'node:child_process';

/** Runs git in `cwd`; resolves with stdout, rejects with git's stderr as the message. */
export function runGit(cwd: string, args: string[], options: { maxBuffer?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.quotepath=off', ...args],
      { cwd, maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(Object.assign(new Error(stderr.trim() || err.message), { code: (err as NodeJS.ErrnoException).code }));
        else resolve(stdout);
      },
    );
  });
}

/**
 * A repository URL reduced to what identifies the repository: host and path, lower-cased host, without scheme,
 * user, port of the default scheme, `.git` or trailing slashes; scp-like `git@host:owner/repo` reads as
 * `host/owner/repo`. Local paths and file:// URLs become the path. So https://github.com/a/b.git,
 * git@github.com:a/b and ssh://git@github.com/a/b all compare equal.
 */
export function normalizeRepoUrl(url: string): string {
  let s = url.trim();
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(s);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !/^[a-zA-Z]:[\\/]/.test(s)) {
    s = `${scp[1]!.toLowerCase()}/${scp[2]}`;
  } else {
    try {
      const u = new URL(s);
      if (u.protocol === 'file:') s = decodeURIComponent(u.pathname);
      else s = `${u.hostname.toLowerCase()}${decodeURIComponent(u.pathname)}`;
    } catch {
      // a local path
    }
  }
  return s
    .replace(/\\/g, '/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}
