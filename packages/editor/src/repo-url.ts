/**
 * Comparing git remote URLs with a project's `repo_url`: the same repository is spelt many ways (SSH or HTTPS,
 * with or without `.git`, credentials, a port, a trailing slash), so both sides are reduced to `host/path` first.
 */

/** The key two repository URLs are compared by: lower-case host and path, no scheme, user, port, `.git` or slash. */
export function repoKey(url: string): string {
  const trimmed = url.trim();
  // scp-like SSH: git@github.com:org/repo.git
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(trimmed);
  if (scp && !/^[a-z]:\\/i.test(trimmed) && !trimmed.includes('://')) {
    return `${scp[1]!.toLowerCase()}/${cleanPath(scp[2]!)}`;
  }
  if (trimmed.includes('://')) {
    try {
      const u = new URL(trimmed);
      if (u.protocol === 'file:') return cleanPath(decodeURIComponent(u.pathname), true);
      return `${u.hostname.toLowerCase()}/${cleanPath(u.pathname)}`;
    } catch {
      return cleanPath(trimmed);
    }
  }
  // A local path (a bare clone on this machine).
  return cleanPath(trimmed, true);
}

function cleanPath(p: string, absolute = false): string {
  let out = p
    .replace(/\\/g, '/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  if (!absolute) out = out.replace(/^\/+/, '').toLowerCase();
  return out;
}

/** Whether two repository URLs name the same repository. */
export function sameRepo(a: string, b: string): boolean {
  return repoKey(a) === repoKey(b);
}

/** The projects whose repository is one of the folder's remotes (several when the same repo is in two projects). */
export function projectsForRemotes<P extends { repo_url: string | null }>(
  projects: readonly P[],
  remotes: readonly string[],
): P[] {
  const keys = new Set(remotes.map(repoKey));
  return projects.filter((p) => p.repo_url !== null && keys.has(repoKey(p.repo_url)));
}
