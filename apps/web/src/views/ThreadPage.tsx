import { Link, useParams } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { ProjectBackLink } from '../components/ProjectBackLink.js';
import { ThreadView } from '../components/ThreadView.js';
import { useTitle } from '../components/Title.js';
import { shortLines, threadsPath } from '../lib/threads.js';
import { useThreadQuery } from '../queries/threads.js';

/** /projects/:id/threads/:threadId: one thread in full, with its replies, state and, when outdated, its original code. */
export function ThreadPage() {
  const { projectId = '', threadId = '' } = useParams();
  const thread = useThreadQuery(threadId);
  const p = thread.data?.position;
  useTitle(p ? `Thread on ${p.path}:${shortLines(p.start_line, p.end_line)}` : 'Thread');
  return (
    <section className="thread-page">
      <ProjectBackLink projectId={projectId} />
      <p>
        <Link to={threadsPath(projectId, { state: 'open', mine: false })}>All threads</Link>
      </p>
      {thread.isPending && <p aria-live="polite">Loading the thread…</p>}
      {thread.isError && <ErrorPanel error={thread.error} />}
      {thread.data && <ThreadView thread={thread.data} level={1} />}
    </section>
  );
}
