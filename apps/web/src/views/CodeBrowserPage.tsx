import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { FileTree } from '../components/FileTree.js';
import { useTitle } from '../components/Title.js';
import { formatBytes } from '../lib/format.js';
import { blobPath, commitsPath, formatLineHash, parseLineHash, treePath, type LineRange } from '../lib/permalink.js';
import { useProjectQuery } from '../queries/projects.js';
import { useFileQuery, useTreeQuery } from '../queries/repo.js';

// CodeMirror and its languages load only when a file is opened, so that the other pages start small.
const CodeView = lazy(() => import('../components/CodeView.js'));

/** /projects/:id/tree/*path: a folder of the mirror's current commit. */
export function TreePage() {
  const { projectId = '', '*': path = '' } = useParams();
  const dir = path.replace(/\/+$/, '');
  const tree = useTreeQuery(projectId, dir);
  useTitle(dir || 'Code');
  return (
    <CodeLayout projectId={projectId} path={dir} commit={tree.data?.commit}>
      {tree.isPending && <p aria-live="polite">Loading…</p>}
      {tree.isError && <ErrorPanel error={tree.error} />}
      {tree.data && (
        <ul className="listing" aria-label={`Contents of ${dir || 'the repository root'}`}>
          {tree.data.entries.map((e) => (
            <li key={e.path}>
              <Link to={e.type === 'dir' ? treePath(projectId, e.path) : blobPath(projectId, tree.data.commit, e.path)}>
                {e.type === 'dir' ? '📁 ' : '📄 '}
                {e.path.slice(e.path.lastIndexOf('/') + 1)}
              </Link>
              {e.size !== undefined && <span className="muted small"> {formatBytes(e.size)}</span>}
            </li>
          ))}
        </ul>
      )}
    </CodeLayout>
  );
}

/** /projects/:id/blob/:commit/*path#L10-L20: a file at a commit, with lines to highlight. */
export function BlobPage() {
  const { projectId = '', commit = '', '*': path = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const file = useFileQuery(projectId, commit, path);
  const range = parseLineHash(location.hash);
  const [copied, setCopied] = useState<string | null>(null);
  useTitle(path);

  const selectLines = (selected: LineRange) =>
    void navigate({ pathname: location.pathname, hash: formatLineHash(selected) }, { replace: true });
  const copyPermalink = async () => {
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      setCopied(`Permalink copied: ${url}`);
    } catch {
      setCopied(`Copy this permalink: ${url}`);
    }
  };

  return (
    <CodeLayout projectId={projectId} path={path} commit={commit}>
      <div className="file-head">
        <p className="muted small">
          at commit <code>{commit.slice(0, 12)}</code>
          {file.data && ` · ${formatBytes(file.data.size)}`}
          {range && ` · ${range.start === range.end ? `line ${range.start}` : `lines ${range.start}–${range.end}`}`}
        </p>
        <button type="button" onClick={() => void copyPermalink()}>
          Copy permalink
        </button>
      </div>
      <p className="small muted" aria-live="polite">
        {copied}
      </p>
      {file.isPending && <p aria-live="polite">Loading the file…</p>}
      {file.isError && <ErrorPanel error={file.error} />}
      {file.data?.encoding === 'base64' && (
        <p>This is a binary file ({formatBytes(file.data.size)}); it is not shown.</p>
      )}
      {file.data?.encoding === 'utf8' && (
        <Suspense fallback={<p aria-live="polite">Opening the editor…</p>}>
          <CodeView content={file.data.content} path={path} range={range} onSelectLines={selectLines} />
        </Suspense>
      )}
    </CodeLayout>
  );
}

/** The code browser's frame: the project's name, where we are, the file tree beside the page. */
function CodeLayout({
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
