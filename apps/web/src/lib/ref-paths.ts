import { treePath } from './permalink.js';

/** A full commit hash, as the tree and file endpoints take it. */
export const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * A folder at a commit: `/projects/:id/tree/path?at=<sha>`, or the plain `/projects/:id/tree/path` (the synced commit)
 * when `at` is undefined, so that existing links keep their meaning.
 */
export function treeAtPath(projectId: string, path: string, at: string | undefined): string {
  return `${treePath(projectId, path)}${at ? `?at=${encodeURIComponent(at)}` : ''}`;
}

/** The `?at=` of a tree page when it is a full commit hash; anything else means the synced commit. */
export function readAt(search: string): string | undefined {
  const at = new URLSearchParams(search).get('at')?.toLowerCase();
  return at && FULL_SHA.test(at) ? at : undefined;
}
