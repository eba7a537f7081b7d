import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { commitsPath } from '../lib/permalink.js';
import { treeAtPath } from '../lib/ref-paths.js';
import { useProjectQuery } from '../queries/projects.js';
import { FileTree } from './FileTree.js';
import { RefPicker } from './RefPicker.js';

/**
 * The code browser's frame: the project's name, where we are, the commit shown (with the picker to change it), the
 * file tree beside the page. Away from the synced head, the breadcrumb's folders stay at the page's commit.
 */
export function CodeLayout({
  projectId,
  path,
  commit,
  children,
}: {
  projectId: string;
  path: string;
  commit: string | undefined;
  children: ReactNode;
}) {
  const project = useProjectQuery(projectId);
  const parts = path === '' ? [] : path.split('/');
  const head = project.data?.last_commit ?? undefined;
  const at = commit !== undefined && head !== undefined && commit !== head ? commit : undefined;
  return (
    <div className="code-browser">
      <aside className="sidebar">
        {commit ? <FileTree projectId={projectId} commit={commit} openPath={path} /> : null}
      </aside>
      <div className="code-main">
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <ol>
            <li>
              <Link to={`/projects/${encodeURIComponent(projectId)}`}>{project.data?.name ?? 'Project'}</Link>
            </li>
            <li>
              <Link to={treeAtPath(projectId, '', at)}>code</Link>
            </li>
            {parts.map((part, i) => {
              const sub = parts.slice(0, i + 1).join('/');
              const last = i === parts.length - 1;
              return (
                <li key={sub}>
                  {last ? (
                    <span aria-current="page">{part}</span>
                  ) : (
                    <Link to={treeAtPath(projectId, sub, at)}>{part}</Link>
                  )}
                </li>
              );
            })}
          </ol>
        </nav>
        <RefPicker projectId={projectId} path={path} commit={commit} />
        <p className="small code-links">
          <Link to={commitsPath(projectId, { path })}>
            History<span className="visually-hidden"> of {path || 'the repository'}</span>
          </Link>
        </p>
        <h1 className="visually-hidden">{path || 'Code'}</h1>
        {children}
      </div>
    </div>
  );
}
