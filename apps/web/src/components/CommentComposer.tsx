import { useEffect, useId, useRef, useState } from 'react';
import { ErrorPanel } from '@hivesync/ui';
import { Markdown } from '@hivesync/ui';
import { MentionInput } from './MentionInput.js';

/** The longest comment the server takes (packages/core, CommentBody). */
export const MAX_COMMENT = 20_000;

/** Why a comment cannot be sent yet, or null when it can. */
export function commentProblem(body: string): string | null {
  if (body.trim() === '') return 'Write something first.';
  if (body.length > MAX_COMMENT) {
    return `A comment is at most ${MAX_COMMENT.toLocaleString('en')} characters; this one has ${body.length.toLocaleString('en')}.`;
  }
  return null;
}

/** What a composer is for: its label, its button, and what sending does. */
export interface CommentComposerProps {
  projectId: string;
  /** The textarea's label, e.g. "Reply" or "Comment on lines 10–12". */
  label: string;
  submitLabel: string;
  busyLabel: string;
  /** Sends the body; the text is cleared once it resolves. */
  onSubmit: (body: string) => Promise<unknown>;
  pending: boolean;
  error: unknown;
  initial?: string;
  onCancel?: () => void;
  autoFocus?: boolean;
}

/**
 * A Markdown comment box: Write (with @mention completion) or Preview (rendered as it will show), checked before
 * sending, busy while sending, the server's error in words.
 */
export function CommentComposer(props: CommentComposerProps) {
  const { projectId, label, submitLabel, busyLabel, onSubmit, pending, error, onCancel } = props;
  const [body, setBody] = useState(props.initial ?? '');
  const [preview, setPreview] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const hintId = `${id}-hint`;
  const problemId = `${id}-problem`;
  const autoFocus = props.autoFocus ?? false;
  useEffect(() => {
    if (autoFocus) area.current?.focus();
  }, [autoFocus]);

  const send = () => {
    const why = commentProblem(body);
    setProblem(why);
    if (why) {
      setPreview(false);
      requestAnimationFrame(() => area.current?.focus());
      return;
    }
    if (pending) return;
    void onSubmit(body).then(
      () => {
        setBody('');
        setPreview(false);
      },
      () => undefined, // shown from `error`
    );
  };

  return (
    <form
      className="composer"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <div className="composer-head">
        <label htmlFor={id}>{label}</label>
        <div className="segmented" role="group" aria-label="Write or preview">
          <button type="button" aria-pressed={!preview} onClick={() => setPreview(false)}>
            Write
          </button>
          <button type="button" aria-pressed={preview} onClick={() => setPreview(true)}>
            Preview
          </button>
        </div>
      </div>
      <div hidden={preview}>
        <MentionInput
          projectId={projectId}
          id={id}
          value={body}
          onChange={(v) => {
            setBody(v);
            if (problem) setProblem(null);
          }}
          onSubmit={send}
          describedBy={problem ? `${problemId} ${hintId}` : hintId}
          invalid={problem !== null}
          disabled={pending}
          textareaRef={area}
        />
      </div>
      {preview && (
        <div className="composer-preview" aria-label="Preview" role="region">
          {body.trim() === '' ? <p className="muted">Nothing to preview.</p> : <Markdown text={body} />}
        </div>
      )}
      <p id={hintId} className="muted small">
        Markdown; @ mentions a member; Ctrl+Enter sends.
      </p>
      {problem && (
        <p id={problemId} className="field-error" role="alert">
          {problem}
        </p>
      )}
      {error !== null && error !== undefined && <ErrorPanel error={error} title="Not sent" />}
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? busyLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={pending}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
