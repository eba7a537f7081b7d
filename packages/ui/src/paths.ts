// The web app's addresses the shared components link to. The desktop renderer routes the same shapes in its own
// (hash) router, so a notification's link opens the right screen in both.

/** Each segment of a relative path, URI-encoded, joined with `/`. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A project's own page, or one of its sections: `/projects/:id`, `/projects/:id/threads`, ... */
export function projectPath(projectId: string, section = ''): string {
  const base = `/projects/${encodeURIComponent(projectId)}`;
  return section === '' ? base : `${base}/${section}`;
}

/** The path of a file at a commit: `/projects/:id/blob/:commit/path`, each path segment encoded. */
export function blobPath(projectId: string, commit: string, path: string): string {
  return `/projects/${encodeURIComponent(projectId)}/blob/${commit}/${encodePath(path)}`;
}
