import { lazy, Suspense, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { AiActions } from '../components/AiActions.js';
import { CodeLayout } from '../components/CodeLayout.js';
import { useTitle } from '../components/Title.js';
import { formatBytes } from '../lib/format.js';
import { blobPath, formatLineHash, parseLineHash, treePath, type LineRange } from '../lib/permalink.js';
import { useFileQuery, useTreeQuery } from '../queries/repo.js';

// CodeMirror and its languages load only when a file is opened, so that the other pages start small.
const CodeView = lazy(() => import('../components/CodeView.js'));

/** /projects/:id/tree/*path: a folder of the mirror's current commit, or of the commit `?at=<full sha>` names. */
export function TreePage() {
  const { projectId = '', '*': path = '' } = useParams();
  const dir = path.replace(/\/+$/, '');
  const at = new URLSearchParams(useLocation().search).get('at') || undefined;
  const tree = useTreeQuery(projectId, dir, at);
  useTitle(dir || 'Code');
  return (
    <CodeLayout projectId={projectId} path={dir} commit={tree.data?.commit}>
      {tree.isPending && <p aria-live="polite">Loading…</p>}
      {tree.isError && <ErrorPanel error={tree.error} />}
      {tree.data && (
        <ul className="listing" aria-label={`Contents of ${dir || 'the repository root'}`}>
          {tree.data.entries.map((e) => (
            <li key={e.path}>
              <Link
                to={
                  e.type === 'dir'
                    ? `${treePath(projectId, e.path)}${at ? `?at=${encodeURIComponent(at)}` : ''}`
                    : blobPath(projectId, tree.data.commit, e.path)
                }
              >
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
        <div className="actions">
          <AiActions projectId={projectId} commit={commit} path={path} selection={range} />
          <button type="button" onClick={() => void copyPermalink()}>
            Copy permalink
          </button>
        </div>
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
