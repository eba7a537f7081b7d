import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { useTitle } from '../components/Title.js';
import { formatWhen } from '../lib/format.js';
import { blobPath, commitPath, commitsPath, treePath } from '../lib/permalink.js';
import { useCommitsQuery } from '../queries/history.js';

/**
 * /projects/:id/commits?path=&cursor=: a page of the commit log, newest first. "Older commits" links to the next
 * page by its cursor, so every page has an address (and the browser's Back goes to the newer one).
 */
export function CommitsPage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const path = params.get('path') ?? '';
  const cursor = params.get('cursor') ?? undefined;
  const log = useCommitsQuery(projectId, path, cursor);
  useTitle(path ? `History of ${path}` : 'History');

  return (
    <section>
      <ProjectBackLink projectId={projectId} />
      <h1>{path ? <>History of {path}</> : 'History'}</h1>
      {path && (
        <p className="small">
          Only the commits that change <code>{path}</code>. <Link to={commitsPath(projectId)}>Every commit</Link>
          {log.data && (
            <>
              {' · '}
              <Link to={blobPath(projectId, log.data.head, path)}>View {path}</Link>
              {' · '}
              <Link to={treePath(projectId, path)}>as a folder</Link>
            </>
          )}
        </p>
      )}
      {log.isPending && <p aria-live="polite">Loading the history…</p>}
      {log.isError && <ErrorPanel error={log.error} />}
      {log.data && (
        <>
          {log.data.commits.length === 0 ? (
            <p>No commit {path ? 'changes this path' : 'here'}.</p>
          ) : (
            <ol className="commit-list" aria-label="Commits, newest first">
              {log.data.commits.map((c) => (
                <li key={c.sha}>
                  <Link to={commitPath(projectId, c.sha)} className="commit-subject">
                    {c.subject || '(no message)'}
                  </Link>
                  <span className="commit-meta small">
                    <span>{c.author.name}</span>
                    {' · '}
                    <time dateTime={c.authored_at}>{formatWhen(c.authored_at)}</time>
                    {' · '}
                    <code>{c.sha.slice(0, 12)}</code>
                  </span>
                </li>
              ))}
            </ol>
          )}
          <nav aria-label="Pages of the history" className="pager">
            {cursor && <Link to={commitsPath(projectId, { path })}>Newest commits</Link>}
            {log.data.next_cursor ? (
              <Link to={commitsPath(projectId, { path, cursor: log.data.next_cursor })} className="button">
                Older commits
              </Link>
            ) : (
              log.data.commits.length > 0 && <span className="muted">This is the first commit.</span>
            )}
          </nav>
        </>
      )}
    </section>
  );
}
