import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { Comment, Thread } from '@hivesync/sdk';
import { formatWhen } from '../lib/format.js';
import { blobPath, formatLineHash } from '../lib/permalink.js';
import { linesLabel, positionWords } from '../lib/threads.js';
import { useProjectQuery } from '../queries/projects.js';
import { useThreadActions } from '../queries/threads.js';
import { useSession } from '../session/session.js';
import { CommentComposer } from './CommentComposer.js';
import { ThreadAssistant } from './ThreadAssistant.js';
import { ErrorPanel } from '@hivesync/ui';
import { Markdown } from '@hivesync/ui';

type Level = 1 | 2 | 3;
const Heading = ({ level, children, id }: { level: Level; children: ReactNode; id?: string }) => {
  const H = `h${level}` as const;
  return (
    <H id={id} className="thread-title">
      {children}
    </H>
  );
};

/** The code a thread was written on, with its line numbers (as text, never as HTML). */
export function AnchorSnippet({ thread }: { thread: Thread }) {
  const { anchor } = thread;
  return (
    <figure className="anchor-snippet">
      <figcaption className="small">
        Written on <code>{anchor.path}</code>, {linesLabel(anchor.start_line, anchor.end_line)}, at commit{' '}
        <code>{anchor.commit.slice(0, 12)}</code>
      </figcaption>
      <pre tabIndex={0} aria-label={`The original code, ${linesLabel(anchor.start_line, anchor.end_line)}`}>
        {anchor.text.split('\n').map((line, i) => (
          <span key={i} className="snippet-line">
            <span className="snippet-no" aria-hidden="true">
              {anchor.start_line + i}
            </span>
            <code>{line}</code>
            {'\n'}
          </span>
        ))}
      </pre>
    </figure>
  );
}

/**
 * One thread: where it is (and, when outdated, where it was, with its original code), its comments as Markdown, and
 * what the caller may do: reply (with @mentions), resolve or reopen, edit or delete their own comments.
 */
export function ThreadView({ thread, level }: { thread: Thread; level: Level }) {
  const session = useSession();
  const me = session.status === 'signed_in' ? session.user.id : undefined;
  const project = useProjectQuery(thread.project_id);
  const actions = useThreadActions(thread.thread_id);
  const { position } = thread;
  const outdated = position.status === 'outdated';
  const where = positionWords(position);
  const canResolve = me === thread.created_by || (project.data !== undefined && project.data.role !== 'viewer');
  const titleId = `thread-${thread.thread_id}-title`;
  const fileLink =
    position.reason === 'file_deleted'
      ? blobPath(thread.project_id, thread.anchor.commit, thread.anchor.path) +
        formatLineHash({ start: thread.anchor.start_line, end: thread.anchor.end_line })
      : blobPath(thread.project_id, position.commit, position.path) +
        formatLineHash({ start: position.start_line, end: position.end_line });

  return (
    <article className={`thread ${thread.state}${outdated ? ' outdated' : ''}`} aria-labelledby={titleId}>
      <header className="thread-head">
        <Heading level={level} id={titleId}>
          <code>{position.path}</code> {linesLabel(position.start_line, position.end_line)}
        </Heading>
        <p className="thread-badges small">
          <span className={`badge state-${thread.state}`}>{thread.state === 'open' ? 'Open' : 'Resolved'}</span>
          {outdated && <span className="badge outdated">Outdated</span>}
          {position.status === 'moved' && <span className="badge">Moved</span>}
          {position.status === 'edited' && <span className="badge">Edited code</span>}
          <Link to={fileLink}>{outdated ? 'View where it was' : 'View in the file'}</Link>
        </p>
      </header>
      {where && <p className="small">{where}</p>}
      {(outdated || position.status !== 'current') && <AnchorSnippet thread={thread} />}

      <ol className="comments" aria-label="Comments">
        {(thread.comments ?? (thread.first_comment ? [thread.first_comment] : [])).map((c) => (
          <li key={c.comment_id}>
            <CommentItem
              projectId={thread.project_id}
              comment={c}
              mine={c.author_id === me && !c.ai}
              actions={actions}
            />
          </li>
        ))}
      </ol>

      <div className="thread-actions">
        {project.data !== undefined && project.data.role !== 'viewer' && <ThreadAssistant thread={thread} />}
        {canResolve && (
          <button
            type="button"
            disabled={actions.setState.isPending}
            onClick={() => actions.setState.mutate(thread.state === 'open' ? 'resolved' : 'open')}
          >
            {actions.setState.isPending
              ? thread.state === 'open'
                ? 'Resolving…'
                : 'Reopening…'
              : thread.state === 'open'
                ? 'Resolve'
                : 'Reopen'}
          </button>
        )}
      </div>
      {actions.setState.isError && <ErrorPanel error={actions.setState.error} title="The thread was not changed" />}

      <CommentComposer
        projectId={thread.project_id}
        label="Reply"
        submitLabel="Reply"
        busyLabel="Sending…"
        pending={actions.reply.isPending}
        error={actions.reply.error}
        onSubmit={(body) => actions.reply.mutateAsync(body)}
      />
    </article>
  );
}

function CommentItem({
  projectId,
  comment,
  mine,
  actions,
}: {
  projectId: string;
  comment: Comment;
  mine: boolean;
  actions: ReturnType<typeof useThreadActions>;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const deleting = actions.remove.isPending && actions.remove.variables === comment.comment_id;
  return (
    <div className="comment">
      <p className="comment-meta small">
        <strong>{comment.author_name}</strong>
        {comment.ai && <span className="badge">AI</span>}{' '}
        <time dateTime={comment.created_at}>{formatWhen(comment.created_at)}</time>
        {comment.edited_at && !comment.deleted && <span className="muted"> · edited</span>}
      </p>
      {comment.deleted ? (
        <p className="muted">This comment was deleted.</p>
      ) : editing ? (
        <CommentComposer
          projectId={projectId}
          label="Edit your comment"
          submitLabel="Save"
          busyLabel="Saving…"
          initial={comment.body}
          autoFocus
          pending={actions.edit.isPending}
          error={actions.edit.error}
          onSubmit={async (body) => {
            await actions.edit.mutateAsync({ commentId: comment.comment_id, body });
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <Markdown text={comment.body} />
      )}
      {mine && !comment.deleted && !editing && (
        <div className="comment-actions small">
          {confirming ? (
            <>
              <span>Delete this comment?</span>
              <button
                type="button"
                disabled={deleting}
                onClick={() => actions.remove.mutate(comment.comment_id, { onSettled: () => setConfirming(false) })}
              >
                {deleting ? 'Deleting…' : 'Yes, delete'}
              </button>
              <button type="button" onClick={() => setConfirming(false)} disabled={deleting}>
                Keep it
              </button>
            </>
          ) : (
            <>
              <button type="button" onClick={() => setEditing(true)}>
                Edit<span className="visually-hidden"> your comment</span>
              </button>
              <button type="button" onClick={() => setConfirming(true)}>
                Delete<span className="visually-hidden"> your comment</span>
              </button>
            </>
          )}
        </div>
      )}
      {actions.remove.isError && actions.remove.variables === comment.comment_id && (
        <ErrorPanel error={actions.remove.error} title="The comment was not deleted" />
      )}
    </div>
  );
}
