import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { AiActions } from '../components/AiActions.js';
import { CodeLayout } from '../components/CodeLayout.js';
import { useTitle } from '../components/Title.js';
import { formatBytes } from '../lib/format.js';
import { blobPath, formatLineHash, parseLineHash, treePath, type LineRange } from '../lib/permalink.js';
import { useFileQuery, useTreeQuery } from '../queries/repo.js';
import { useFileThreadsQuery } from '../queries/threads.js';
import { linesLabel, markerFor } from '../lib/threads.js';

// CodeMirror and its languages load only when a file is opened, so that the other pages start small.
const CodeView = lazy(() => import('../components/CodeView.js'));
// So do the threads' panel and its Markdown renderer.
const ThreadPanel = lazy(() => import('../components/ThreadPanel.js'));

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

/**
 * /projects/:id/blob/:commit/*path#L10-L20?thread=: a file at a commit, with lines to highlight, its threads in the
 * gutter and in a side panel (`thread` names the one shown in full), and "Comment on lines" for the selected lines.
 */
export function BlobPage() {
  const { projectId = '', commit = '', '*': path = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const file = useFileQuery(projectId, commit, path);
  const threads = useFileThreadsQuery(projectId, commit, path);
  // One object per address: the code view scrolls to the range whenever it changes, not at every render.
  const range = useMemo(() => parseLineHash(location.hash), [location.hash]);
  const [copied, setCopied] = useState<string | null>(null);
  // The lines the user selected last: a line number clicked (the URL's #L10-L20) or the editor's selection.
  const [picked, setPicked] = useState<{ range: LineRange | null; hash: string }>({ range: null, hash: '' });
  const selection = picked.hash === location.hash && picked.range ? picked.range : range;
  const [composing, setComposing] = useState<LineRange | null>(null);
  const openThreadId = params.get('thread');
  useTitle(path);

  const markers = useMemo(
    () =>
      (threads.data?.pages.flatMap((p) => p.threads) ?? [])
        .filter((t) => t.position.commit === commit && t.position.path === path)
        .map(markerFor),
    [threads.data, commit, path],
  );

  const selectLines = (selected: LineRange) =>
    void navigate(
      { pathname: location.pathname, search: location.search, hash: formatLineHash(selected) },
      { replace: true },
    );
  // The thread shown in full is in the address (`?thread=`), next to the selected lines' `#L…`, which it keeps.
  const openThread = (threadId: string | null) => {
    setComposing(null);
    const next = new URLSearchParams(params);
    if (threadId) next.set('thread', threadId);
    else next.delete('thread');
    const search = next.toString();
    void navigate(
      { pathname: location.pathname, search: search ? `?${search}` : '', hash: location.hash },
      { replace: true, preventScrollReset: true },
    );
  };
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
          {selection && ` · ${linesLabel(selection.start, selection.end)}`}
        </p>
        <div className="actions">
          {selection && file.data?.encoding === 'utf8' && (
            <button type="button" className="primary" onClick={() => setComposing(selection)}>
              Comment on {linesLabel(selection.start, selection.end)}
            </button>
          )}
          <AiActions projectId={projectId} commit={commit} path={path} selection={selection} />
          <button type="button" onClick={() => void copyPermalink()}>
            Copy permalink
          </button>
        </div>
      </div>
      <p className="small muted" aria-live="polite">
        {copied}
      </p>
      <div className="blob-body">
        <div className="blob-code">
          {file.isPending && <p aria-live="polite">Loading the file…</p>}
          {file.isError && <ErrorPanel error={file.error} />}
          {file.data?.encoding === 'base64' && (
            <p>This is a binary file ({formatBytes(file.data.size)}); it is not shown.</p>
          )}
          {file.data?.encoding === 'utf8' && (
            <Suspense fallback={<p aria-live="polite">Opening the editor…</p>}>
              <CodeView
                content={file.data.content}
                path={path}
                range={range}
                onSelectLines={selectLines}
                threads={markers}
                onOpenThread={openThread}
                onSelectionChange={(lines) => setPicked({ range: lines, hash: location.hash })}
              />
            </Suspense>
          )}
        </div>
        {!file.isError && (
          <Suspense fallback={<p aria-live="polite">Loading threads…</p>}>
            <ThreadPanel
              projectId={projectId}
              commit={commit}
              path={path}
              threads={threads}
              openThreadId={openThreadId}
              onOpen={openThread}
              composing={composing}
              onComposed={() => setComposing(null)}
            />
          </Suspense>
        )}
      </div>
    </CodeLayout>
  );
}
