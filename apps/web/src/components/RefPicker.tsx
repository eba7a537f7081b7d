import { useEffect, useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Link, useLocation, useNavigate } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { blobPath, projectPath } from '../lib/permalink.js';
import { treeAtPath } from '../lib/ref-paths.js';
import { useCommitsQuery } from '../queries/history.js';
import { useProjectQuery } from '../queries/projects.js';
import { useClient } from '../session/session.js';
import './ref-picker.css';

/** What a pasted commit may look like before it is sent: 4 to 40 hex digits (an unambiguous abbreviation). */
const SHA_INPUT = /^[0-9a-fA-F]{4,40}$/;

/**
 * The code browser's commit picker: says which commit the page shows and whether it is the synced head of the
 * project's branch; moves the same path to the synced head, one of the recent commits, or a pasted commit hash.
 */
export function RefPicker({
  projectId,
  path,
  commit,
}: {
  projectId: string;
  path: string;
  commit: string | undefined;
}) {
  const project = useProjectQuery(projectId);
  const log = useCommitsQuery(projectId, '', undefined);
  const client = useClient();
  const navigate = useNavigate();
  const location = useLocation();
  const id = useId();
  const head = project.data?.last_commit ?? undefined;
  const branch = project.data?.branch ?? 'the branch';
  const isBlob = location.pathname.startsWith(`${projectPath(projectId)}/blob/`);
  /** The same file or folder at `sha`; a folder at the synced head keeps its plain address. */
  const at = (sha: string) =>
    isBlob ? blobPath(projectId, sha, path) : treeAtPath(projectId, path, sha === head ? undefined : sha);

  const [chosen, setChosen] = useState(commit ?? '');
  useEffect(() => setChosen(commit ?? ''), [commit]);
  const [pasted, setPasted] = useState('');
  const [pasteError, setPasteError] = useState<string | null>(null);
  const resolve = useMutation({
    mutationFn: (ref: string) => client.repo.commits(projectId, { ref, limit: 1 }),
    onSuccess: (found) => {
      setPasted('');
      void navigate(at(found.head));
    },
  });

  const pick = (e: FormEvent) => {
    e.preventDefault();
    if (chosen && chosen !== commit) void navigate(at(chosen));
  };
  const paste = (e: FormEvent) => {
    e.preventDefault();
    const ref = pasted.trim();
    if (!SHA_INPUT.test(ref)) {
      setPasteError('A commit hash is 4 to 40 hexadecimal digits (0–9, a–f).');
      return;
    }
    setPasteError(null);
    resolve.mutate(ref.toLowerCase());
  };

  const commits = log.data?.commits ?? [];
  const listed = commits.some((c) => c.sha === commit);
  return (
    <div className="ref-picker">
      <p className="ref-status small" aria-live="polite" data-testid="ref-status">
        {commit === undefined ? (
          'Finding the commit…'
        ) : (
          <>
            At commit <code>{commit.slice(0, 12)}</code>
            {head === undefined
              ? '.'
              : commit === head
                ? `, the synced head of ${branch}.`
                : `, not the synced head of ${branch}. `}
            {head !== undefined && commit !== head && <Link to={at(head)}>View at the synced head</Link>}
          </>
        )}
      </p>
      <details className="ref-choose">
        <summary>Change commit</summary>
        <form className="ref-form" onSubmit={pick}>
          <label htmlFor={`${id}-commit`}>Commit</label>
          <select id={`${id}-commit`} value={chosen} onChange={(e) => setChosen(e.target.value)}>
            {commit !== undefined && !listed && <option value={commit}>{commit.slice(0, 7)} (this page)</option>}
            {commits.map((c) => (
              <option key={c.sha} value={c.sha}>
                {c.sha.slice(0, 7)} {truncate(c.subject || '(no message)', 60)}
                {c.sha === head ? ` · synced head of ${branch}` : ''}
              </option>
            ))}
          </select>
          <button type="submit" disabled={!chosen || chosen === commit}>
            View
          </button>
        </form>
        {log.isError && <ErrorPanel error={log.error} title="Could not list the recent commits" />}
        <form className="ref-form" onSubmit={paste} noValidate>
          <label htmlFor={`${id}-sha`}>Or a commit hash</label>
          <input
            id={`${id}-sha`}
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            placeholder="e.g. 3f2a9c1"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={pasteError !== null}
            aria-describedby={pasteError ? `${id}-sha-error` : undefined}
          />
          <button type="submit" disabled={resolve.isPending}>
            {resolve.isPending ? 'Finding…' : 'Go'}
          </button>
        </form>
        {pasteError && (
          <p id={`${id}-sha-error`} className="field-error" role="alert">
            {pasteError}
          </p>
        )}
        {resolve.isError && <ErrorPanel error={resolve.error} title="No such commit" />}
      </details>
    </div>
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
