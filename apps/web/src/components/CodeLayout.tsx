import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { commitsPath, treePath } from '../lib/permalink.js';
import { useProjectQuery } from '../queries/projects.js';
import { FileTree } from './FileTree.js';

/** The code browser's frame: the project's name, where we are, the file tree beside the page. */
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
              <Link to={treePath(projectId)}>code</Link>
            </li>
            {parts.map((part, i) => {
              const sub = parts.slice(0, i + 1).join('/');
              const last = i === parts.length - 1;
              return (
                <li key={sub}>
                  {last ? <span aria-current="page">{part}</span> : <Link to={treePath(projectId, sub)}>{part}</Link>}
                </li>
              );
            })}
          </ol>
        </nav>
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
