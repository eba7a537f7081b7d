import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { ProjectNav } from '../components/ProjectNav.js';
import { useTitle } from '../components/Title.js';
import { formatWhen } from '../lib/format.js';
import { excerpt, replyCount, shortLines, threadPath, threadsPath, type ThreadFilter } from '../lib/threads.js';
import { useThreadListQuery } from '../queries/threads.js';

const STATES: { value: ThreadFilter['state']; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

function readFilter(params: URLSearchParams): ThreadFilter {
  const state = params.get('state');
  return {
    state: state === 'resolved' || state === 'all' ? state : 'open',
    mine: params.get('mine') === '1',
  };
}

/**
 * /projects/:id/threads?state=&mine=1&cursor=: the project's threads, open, resolved or all, everyone's or only those
 * the caller started or took part in; a page at a time, each page with its own address (as the commit log).
 */
export function ThreadsPage() {
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const filter = readFilter(params);
  const cursor = params.get('cursor') ?? undefined;
  const list = useThreadListQuery(projectId, filter, cursor);
  useTitle('Threads');

  const stateWords = filter.state === 'all' ? '' : `${filter.state} `;
  return (
    <section>
      <ProjectBackLink projectId={projectId} />
      <h1>Threads</h1>
      <ProjectNav projectId={projectId} />
      <nav className="thread-filters" aria-label="Filter threads">
        <ul className="segmented-links">
          {STATES.map((s) => (
            <li key={s.value}>
              <Link
                to={threadsPath(projectId, { ...filter, state: s.value })}
                aria-current={filter.state === s.value ? 'true' : undefined}
              >
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
        <ul className="segmented-links">
          <li>
            <Link
              to={threadsPath(projectId, { ...filter, mine: false })}
              aria-current={!filter.mine ? 'true' : undefined}
            >
              Everyone’s
            </Link>
          </li>
          <li>
            <Link
              to={threadsPath(projectId, { ...filter, mine: true })}
              aria-current={filter.mine ? 'true' : undefined}
            >
              Mine<span className="visually-hidden"> (started by me or with my comments)</span>
            </Link>
          </li>
        </ul>
      </nav>
      {list.isPending && <p aria-live="polite">Loading the threads…</p>}
      {list.isError && <ErrorPanel error={list.error} title="The threads could not be loaded" />}
      {list.data && (
        <>
          {list.data.threads.length === 0 ? (
            <p>
              No {stateWords}thread{filter.mine ? ' that you started or took part in' : ''}
              {cursor ? ' on this page' : ''}.
            </p>
          ) : (
            <ol className="thread-list" aria-label={`${filter.mine ? 'My' : 'All'} ${stateWords}threads`}>
              {list.data.threads.map((t) => (
                <li key={t.thread_id}>
                  <Link to={threadPath(projectId, t.thread_id)} className="thread-link">
                    <code>{t.position.path}</code>:{shortLines(t.position.start_line, t.position.end_line)}
                  </Link>{' '}
                  <span className={`badge state-${t.state}`}>{t.state === 'open' ? 'Open' : 'Resolved'}</span>
                  {t.position.status === 'outdated' && <span className="badge outdated">Outdated</span>}
                  <p className="thread-excerpt">{excerpt(t.first_comment?.body ?? '', 200) || <em>(deleted)</em>}</p>
                  <p className="muted small">
                    {t.first_comment?.author_name ?? 'someone'} ·{' '}
                    <time dateTime={t.created_at}>{formatWhen(t.created_at)}</time> · {replyCount(t)}{' '}
                    {replyCount(t) === 1 ? 'reply' : 'replies'}
                  </p>
                </li>
              ))}
            </ol>
          )}
          <nav aria-label="Pages of threads" className="pager">
            {cursor && <Link to={threadsPath(projectId, filter)}>First page</Link>}
            {list.data.next_cursor && (
              <Link to={threadsPath(projectId, filter, list.data.next_cursor)} className="button">
                Next page
              </Link>
            )}
          </nav>
        </>
      )}
    </section>
  );
}
