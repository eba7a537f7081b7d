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

/** The path of a file at a commit: `/projects/:id/blob/:commit/path`, each path segment encoded. */
export function blobPath(projectId: string, commit: string, path: string): string {
  return `/projects/${encodeURIComponent(projectId)}/blob/${commit}/${encodePath(path)}`;
}

/** The path of a directory of the current commit: `/projects/:id/tree/path`. */
export function treePath(projectId: string, path = ''): string {
  const base = `/projects/${encodeURIComponent(projectId)}/tree`;
  return path === '' ? base : `${base}/${encodePath(path)}`;
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
