import { encodePath } from '@hivesync/ui';

// A file's and a project's paths are shared with the diff view and the notifications (packages/ui).
export { blobPath, projectPath } from '@hivesync/ui';

/** A line or an inclusive range of lines, 1-based. */
export interface LineRange {
  start: number;
  end: number;
}

/** Reads `#L10` or `#L10-L20` (either order); anything else is no range. */
export function parseLineHash(hash: string): LineRange | null {
  const m = /^#?L(\d+)(?:-L?(\d+))?$/.exec(hash);
  if (!m) return null;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a < 1 || b < 1) return null;
  return { start: Math.min(a, b), end: Math.max(a, b) };
}

/** `#L10`, or `#L10-L20` for a range. */
export function formatLineHash(range: LineRange): string {
  return range.start === range.end ? `#L${range.start}` : `#L${range.start}-L${range.end}`;
}

/** The path of a directory of the current commit: `/projects/:id/tree/path`. */
export function treePath(projectId: string, path = ''): string {
  const base = `/projects/${encodeURIComponent(projectId)}/tree`;
  return path === '' ? base : `${base}/${encodePath(path)}`;
}

/** The commit log: `/projects/:id/commits`, only the commits touching `path` when given, from `cursor` when given. */
export function commitsPath(projectId: string, options: { path?: string; cursor?: string } = {}): string {
  const query = new URLSearchParams();
  if (options.path) query.set('path', options.path);
  if (options.cursor) query.set('cursor', options.cursor);
  const qs = query.toString();
  return `/projects/${encodeURIComponent(projectId)}/commits${qs ? `?${qs}` : ''}`;
}

/** A commit and its diff: `/projects/:id/commit/:sha`. */
export function commitPath(projectId: string, sha: string): string {
  return `/projects/${encodeURIComponent(projectId)}/commit/${encodeURIComponent(sha)}`;
}

/** Code search: `/projects/:id/search?q=&regex=1&case=1&path=` (the flags only when on). */
export function searchPath(
  projectId: string,
  input: { q: string; regex?: boolean; matchCase?: boolean; path?: string },
): string {
  const query = new URLSearchParams({ q: input.q });
  if (input.regex) query.set('regex', '1');
  if (input.matchCase) query.set('case', '1');
  if (input.path) query.set('path', input.path);
  return `/projects/${encodeURIComponent(projectId)}/search?${query.toString()}`;
}

/** The diff between two commits or branches: `/projects/:id/compare?from=&to=` (`to` is the synced commit when ''). */
export function comparePath(projectId: string, from: string, to = ''): string {
  const query = new URLSearchParams({ from });
  if (to) query.set('to', to);
  return `/projects/${encodeURIComponent(projectId)}/compare?${query.toString()}`;
}
