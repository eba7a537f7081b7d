import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { AiJob, Suggestion, SuggestionState } from '@hivesync/sdk';
import { useMoveSuggestionMutation, useSuggestionDiffQuery, type SuggestionMove } from './ai-queries.js';
import { DiffBody, type HunkControl } from './DiffView.js';
import { ErrorPanel } from './ErrorPanel.js';
import { formatWhen } from './format.js';
import { STATE_WORDS, cliApplyCommand, gitApplyCommand, hunkKey, patchFileName, patchWithout } from './patch.js';
import './suggestion.css';

/** Longest review comment the server keeps. */
const MAX_COMMENT = 2000;

const MOVE_WORDS: Record<SuggestionState, string> = {
  proposed: 'Proposed',
  approved: 'Approved',
  rejected: 'Rejected',
  applied: 'Marked applied',
  reverted: 'Marked reverted',
};

/**
 * One suggestion to review: what it does, its state and history (who, when, what they said), the diff per file and
 * hunk, approve or reject with a comment (members), the patch to download with the command that applies it, and the
 * moves that report it applied to a working copy, then reverted. The desktop app puts its own `applyPanel` (apply to
 * the mapped folder through the local agent, revert) where the web app explains how to apply the patch by hand.
 */
export function SuggestionReview({
  job,
  suggestion,
  canMove,
  names,
  applyPanel,
  fileLinks = true,
}: {
  job: AiJob;
  suggestion: Suggestion;
  /** Members may move it; viewers only read. */
  canMove: boolean;
  /** The name of a member by user id. */
  names: (userId: string | null | undefined) => string;
  /** Shown instead of the download and `git apply` help, with no hunk picking (the whole patch is applied). */
  applyPanel?: ReactNode;
  /** Whether the diff's files link to the web app's file view (false in the desktop app). */
  fileLinks?: boolean;
}) {
  const diff = useSuggestionDiffQuery(suggestion.id);
  const headingId = useId();
  const who = names;
  const last = (state: SuggestionState) => suggestion.history.findLast((h) => h.to === state);
  const applied = last('applied');
  const reverted = last('reverted');
  // Hunks left out of the downloaded patch (by hunkKey); the review itself covers the whole suggestion.
  const [excluded, setExcluded] = useState<ReadonlySet<string>>(new Set());
  const hunkCount = applyPanel ? 0 : (diff.data?.files.reduce((n, f) => n + f.hunks.length, 0) ?? 0);
  const partial = diff.data !== undefined && excluded.size > 0;
  const patch = partial ? patchWithout(diff.data!, excluded) : suggestion.patch;
  const pickHunk: HunkControl = (file, f, hunk, h) => {
    const key = hunkKey(f, h);
    return (
      <label className="hunk-pick">
        <input
          type="checkbox"
          checked={!excluded.has(key)}
          onChange={(e) => {
            const next = new Set(excluded);
            if (e.target.checked) next.delete(key);
            else next.add(key);
            setExcluded(next);
          }}
        />
        <span className="visually-hidden">
          Include the hunk at line {hunk.old_start} of {file.path} in the patch
        </span>
      </label>
    );
  };

  return (
    <section className="suggestion" aria-labelledby={headingId}>
      <div className="page-head">
        <h2 id={headingId}>Suggestion</h2>
        <span className={`state-badge ${suggestion.state}`} data-testid="suggestion-state">
          {STATE_WORDS[suggestion.state]}
        </span>
      </div>
      <p className="suggestion-description">{suggestion.description}</p>
      <p className="small">
        {suggestion.files.length === 1 ? 'File changed: ' : `${suggestion.files.length} files changed: `}
        {suggestion.files.map((f, i) => (
          <span key={f}>
            {i > 0 && ', '}
            <code>{f}</code>
          </span>
        ))}
      </p>
      {(applied || reverted) && (
        <p className="notice" data-testid="applied-status">
          {applied && (
            <>
              Applied to a working copy by {who(applied.by)},{' '}
              <time dateTime={applied.at}>{formatWhen(applied.at)}</time>.
            </>
          )}
          {reverted && (
            <>
              {' '}
              Reverted by {who(reverted.by)}, <time dateTime={reverted.at}>{formatWhen(reverted.at)}</time>.
            </>
          )}
        </p>
      )}

      {suggestion.state === 'proposed' &&
        (canMove ? (
          <ReviewForm job={job} suggestion={suggestion} />
        ) : (
          <p className="muted">Viewers can read suggestions; a member approves or rejects them.</p>
        ))}

      {applyPanel ?? <ApplyHelp job={job} suggestion={suggestion} canMove={canMove} patch={patch} partial={partial} />}
      {hunkCount > 1 && suggestion.state !== 'rejected' && (
        <p className="small" aria-live="polite" data-testid="hunks-picked">
          {hunkCount - excluded.size} of {hunkCount} hunks in the patch. Untick a hunk below to leave it out of the
          download (the review still covers the whole suggestion).
        </p>
      )}

      {suggestion.history.length > 0 && (
        <>
          <h3>History</h3>
          <ol className="suggestion-history">
            {suggestion.history.map((h, i) => (
              <li key={i}>
                <strong>{MOVE_WORDS[h.to]}</strong> by {who(h.by)}, <time dateTime={h.at}>{formatWhen(h.at)}</time>
                {h.comment && <blockquote className="review-comment">{h.comment}</blockquote>}
              </li>
            ))}
          </ol>
        </>
      )}

      {diff.isPending && <p aria-live="polite">Loading the diff…</p>}
      {diff.isError && <ErrorPanel error={diff.error} title="The diff could not be shown" />}
      {diff.data && (
        <DiffBody
          projectId={job.project_id}
          diff={diff.data}
          fileLinks={fileLinks}
          {...(hunkCount > 1 && suggestion.state !== 'rejected' && { hunkControl: pickHunk })}
        />
      )}
    </section>
  );
}

/** Approve or reject, with an optional comment kept in the suggestion's history. */
function ReviewForm({ job, suggestion }: { job: AiJob; suggestion: Suggestion }) {
  const move = useMoveSuggestionMutation(job);
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { field: useId(), problem: useId(), count: useId() };

  const submit = (e: FormEvent<HTMLFormElement>, to: SuggestionMove) => {
    e.preventDefault();
    const text = comment.trim();
    if (text.length > MAX_COMMENT) {
      setProblem(`Keep the comment under ${MAX_COMMENT} characters (${text.length} now).`);
      document.getElementById(ids.field)?.focus();
      return;
    }
    setProblem(null);
    move.mutate({ id: suggestion.id, move: to, ...(text && { comment: text }) });
  };

  return (
    <form
      className="stack review-form"
      aria-label="Review the suggestion"
      onSubmit={(e) => {
        const submitter = (e.nativeEvent as SubmitEvent).submitter;
        submit(e, submitter?.getAttribute('value') === 'reject' ? 'reject' : 'approve');
      }}
      noValidate
    >
      <label htmlFor={ids.field}>
        <span>
          Comment <span className="muted small">(optional)</span>
        </span>
        <textarea
          id={ids.field}
          rows={3}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${ids.problem} ${ids.count}` : ids.count}
        />
      </label>
      <p id={ids.count} className="small muted">
        {comment.trim().length} of {MAX_COMMENT} characters
      </p>
      {problem && (
        <p id={ids.problem} className="field-error">
          {problem}
        </p>
      )}
      {move.isError && <ErrorPanel error={move.error} title="The review was not saved" />}
      <div className="actions">
        <button type="submit" className="primary" value="approve" disabled={move.isPending}>
          {move.isPending && move.variables?.move === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="submit" value="reject" disabled={move.isPending}>
          {move.isPending && move.variables?.move === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
    </form>
  );
}

/**
 * The patch as a file, the command that applies it in a checkout (and the CLI's, which merges and reports), and the
 * buttons that report what was done: applied (once approved), reverted (once applied).
 */
function ApplyHelp({
  job,
  suggestion,
  canMove,
  patch,
  partial,
}: {
  job: AiJob;
  suggestion: Suggestion;
  canMove: boolean;
  /** The patch to download: the suggestion's, or only the hunks kept. */
  patch: string;
  partial: boolean;
}) {
  const move = useMoveSuggestionMutation(job);
  const [copied, setCopied] = useState<string | null>(null);
  const command = gitApplyCommand(suggestion.id, { partial });
  const fileName = patchFileName(suggestion.id, { partial });
  const headingId = useId();
  // The patch as a file the browser saves; the object URL is let go when the suggestion changes or the page closes.
  const href = useMemo(() => URL.createObjectURL(new Blob([patch], { type: 'text/x-diff' })), [patch]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(`Copied: ${command}`);
    } catch {
      setCopied(`Copy it from the box above: ${command}`);
    }
  };
  if (suggestion.state === 'rejected') {
    return (
      <p className="small">
        <a href={href} download={fileName}>
          Download patch
        </a>{' '}
        <span className="muted">(rejected: kept for reference)</span>
      </p>
    );
  }

  return (
    <section className="apply-help" aria-labelledby={headingId}>
      <h3 id={headingId}>Apply it in your checkout</h3>
      <p className="actions wrap">
        {patch ? (
          <a className="button" href={href} download={fileName}>
            Download patch{partial && ' (selected hunks)'}
          </a>
        ) : (
          <span className="muted">No hunk is selected: nothing to download.</span>
        )}
        <button type="button" onClick={() => void copy()}>
          Copy <code>git apply</code> command
        </button>
      </p>
      <pre className="command" aria-label="Command to run at the root of your checkout">
        <code>{command}</code>
      </pre>
      <p className="small muted" aria-live="polite" data-testid="copy-result">
        {copied}
      </p>
      <p className="small">
        Run it at the root of your checkout, on commit <code>{job.commit.slice(0, 12)}</code> or a later one that leaves
        these lines alone; git changes nothing if the patch does not apply. If you changed those lines,{' '}
        <code>{gitApplyCommand(suggestion.id, { threeWay: true, partial })}</code> merges it, or the CLI&apos;s{' '}
        <code>{cliApplyCommand(suggestion.id)}</code> merges, approves and reports the whole suggestion applied in one
        step.
      </p>
      {canMove && (suggestion.state === 'approved' || suggestion.state === 'applied') && (
        <div className="actions">
          {suggestion.state === 'approved' && (
            <button
              type="button"
              disabled={move.isPending}
              onClick={() => move.mutate({ id: suggestion.id, move: 'applied' })}
            >
              {move.isPending ? 'Saving…' : 'Mark as applied'}
            </button>
          )}
          {suggestion.state === 'applied' && (
            <button
              type="button"
              disabled={move.isPending}
              onClick={() => move.mutate({ id: suggestion.id, move: 'reverted' })}
            >
              {move.isPending ? 'Saving…' : 'Mark as reverted'}
            </button>
          )}
        </div>
      )}
      {move.isError && <ErrorPanel error={move.error} title="The change was not saved" />}
    </section>
  );
}
