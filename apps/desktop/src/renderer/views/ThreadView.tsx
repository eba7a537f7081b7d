import { useQuery } from '@tanstack/react-query';
import { ErrorPanel, Markdown } from '@hivesync/ui';
import { Link, useParams } from 'react-router';
import { client } from '../agent.js';
import { keys } from '../queries.js';

/** A comment thread, opened from a notification: where it is and its comments (Markdown, shown safely). */
export function ThreadView() {
  const { projectId = '', threadId = '' } = useParams();
  const thread = useQuery({
    queryKey: keys.thread(threadId),
    queryFn: ({ signal }) => client.threads.get(threadId, {}, { signal }),
  });
  const t = thread.data;
  return (
    <section>
      <p>
        <Link to={`/projects/${projectId}`}>← Project</Link>
      </p>
      <h1>Thread</h1>
      {thread.isError && <ErrorPanel error={thread.error} />}
      {t && (
        <>
          <p className="small muted" data-testid="thread-place">
            {t.anchor.path}, lines {t.anchor.start_line}–{t.anchor.end_line} · {t.state}
          </p>
          <ol className="comments">
            {(t.comments ?? []).map((c) => (
              <li key={c.comment_id} className="comment">
                <p className="small muted">
                  {c.author_name}, <time dateTime={c.created_at}>{new Date(c.created_at).toLocaleString()}</time>
                </p>
                {c.deleted ? <p className="muted">This comment was deleted.</p> : <Markdown text={c.body} />}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
