import type { LineRange } from '../lib/permalink.js';
import { excerpt, linesLabel, replyCount, shortLines } from '../lib/threads.js';
import { useCreateThreadMutation, useThreadQuery, type useFileThreadsQuery } from '../queries/threads.js';
import { CommentComposer } from './CommentComposer.js';
import { ErrorPanel } from '@hivesync/ui';
import { ThreadView } from './ThreadView.js';

/** What the file view gives its thread panel. */
export interface ThreadPanelProps {
  projectId: string;
  commit: string;
  path: string;
  threads: ReturnType<typeof useFileThreadsQuery>;
  /** The thread shown in full, or null for the list. */
  openThreadId: string | null;
  onOpen: (threadId: string | null) => void;
  /** Lines to start a thread on, while the composer is open. */
  composing: LineRange | null;
  onComposed: () => void;
}

/**
 * The file view's side panel: the file's threads at this commit (a page at a time), one of them in full, or the
 * composer of a new thread on the selected lines.
 */
export default function ThreadPanel(props: ThreadPanelProps) {
  const { projectId, commit, path, threads, openThreadId, onOpen, composing, onComposed } = props;
  const create = useCreateThreadMutation(projectId);
  const open = useThreadQuery(openThreadId ?? undefined);
  const list = threads.data?.pages.flatMap((p) => p.threads) ?? [];

  if (composing) {
    const label = `Comment on ${linesLabel(composing.start, composing.end)}`;
    return (
      <section className="thread-panel" aria-label="New thread">
        <h2>New thread</h2>
        <CommentComposer
          projectId={projectId}
          label={label}
          submitLabel="Start thread"
          busyLabel="Starting the thread…"
          autoFocus
          pending={create.isPending}
          error={create.error}
          onCancel={() => {
            create.reset();
            onComposed();
          }}
          onSubmit={async (body) => {
            const thread = await create.mutateAsync({
              path,
              start_line: composing.start,
              end_line: composing.end,
              ...(/^[0-9a-f]{40}$/.test(commit) && { commit }),
              body,
            });
            onComposed();
            onOpen(thread.thread_id);
          }}
        />
      </section>
    );
  }

  if (openThreadId) {
    return (
      <section className="thread-panel" aria-label="Thread">
        <p>
          <button type="button" className="link-button" onClick={() => onOpen(null)}>
            ← All threads on this file
          </button>
        </p>
        {open.isPending && <p aria-live="polite">Loading the thread…</p>}
        {open.isError && <ErrorPanel error={open.error} />}
        {open.data && <ThreadView thread={open.data} level={2} />}
      </section>
    );
  }

  return (
    <section className="thread-panel" aria-labelledby="file-threads-title">
      <h2 id="file-threads-title">
        Threads on this file{threads.data && <span className="muted small"> ({list.length})</span>}
      </h2>
      {threads.isPending && <p aria-live="polite">Loading threads…</p>}
      {threads.isError && <ErrorPanel error={threads.error} title="The threads could not be loaded" />}
      {threads.data && list.length === 0 && (
        <p className="muted small">
          No thread yet. Select lines (click a line number, shift-click for a range) and choose “Comment on lines”.
        </p>
      )}
      {list.length > 0 && (
        <ul className="thread-list compact">
          {list.map((t) => (
            <li key={t.thread_id}>
              <button type="button" className="thread-item" onClick={() => onOpen(t.thread_id)}>
                <span className="thread-item-head">
                  <span className="thread-lines">
                    {shortLines(t.position.start_line, t.position.end_line)}
                    {t.position.commit !== commit && (
                      <span className="muted"> (at {t.position.commit.slice(0, 7)})</span>
                    )}
                  </span>
                  <span className={`badge state-${t.state}`}>{t.state === 'open' ? 'Open' : 'Resolved'}</span>
                  {t.position.status === 'outdated' && <span className="badge outdated">Outdated</span>}
                </span>
                <span className="thread-excerpt">
                  <strong>{t.first_comment?.author_name ?? 'someone'}</strong>:{' '}
                  {excerpt(t.first_comment?.body ?? '') || <em>(deleted)</em>}
                </span>
                <span className="muted small">
                  {replyCount(t)} {replyCount(t) === 1 ? 'reply' : 'replies'}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {threads.hasNextPage && (
        <button type="button" onClick={() => void threads.fetchNextPage()} disabled={threads.isFetchingNextPage}>
          {threads.isFetchingNextPage ? 'Loading more threads…' : 'More threads'}
        </button>
      )}
      {threads.isFetchNextPageError && <ErrorPanel error={threads.error} title="More threads could not be loaded" />}
    </section>
  );
}
