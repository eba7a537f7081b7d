import '../ai.css';
import { useId, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { AiAction, CreateAiJobBody } from '@hivesync/sdk';
import { AiDialog } from './AiDialog.js';
import { ErrorPanel } from '@hivesync/ui';
import { DOCUMENTABLE, RENAMEABLE, aiJobPath, declaredName, isIdentifier, renameProblems } from '../lib/ai.js';
import { errorWords } from '@hivesync/ui';
import { blobPath, type LineRange } from '../lib/permalink.js';
import { useAiCapabilitiesQuery, useCreateAiJobMutation } from '../queries/ai.js';
import { useProjectQuery } from '../queries/projects.js';
import { useFileQuery } from '../queries/repo.js';

/** What every provider runs. */
const WITHOUT_MODEL: readonly AiAction[] = ['document_function', 'document_file', 'summarize_file', 'rename_symbol'];

/** Longest refactoring instructions the server takes. */
const MAX_INSTRUCTIONS = 10_000;

type Props = { projectId: string; commit: string; path: string; selection: LineRange | null };

/**
 * The file view's AI requests for the file and the selected lines: "Document" (the function at the selection),
 * "Rename symbol…" and "Refactor…" (only when the server's provider runs refactors), each in a dialog that validates
 * before sending. Once the job is queued, its page opens. Viewers, who may not ask for jobs, see none of it.
 */
export function AiActions({ projectId, commit, path, selection }: Props) {
  const project = useProjectQuery(projectId);
  const capabilities = useAiCapabilitiesQuery();
  const file = useFileQuery(projectId, commit, path);
  const create = useCreateAiJobMutation();
  const navigate = useNavigate();
  const [open, setOpen] = useState<'rename' | 'refactor' | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const hintId = useId();

  const role = project.data?.role;
  // A server older than GET /ai/capabilities runs every action but refactor without a model: offer those.
  const actions: readonly AiAction[] = capabilities.data?.actions ?? (capabilities.isError ? WITHOUT_MODEL : []);
  if (!role || role === 'viewer' || actions.length === 0) return null;
  const canDocument = DOCUMENTABLE.test(path) && actions.includes('document_function');
  const canRename = RENAMEABLE.test(path) && actions.includes('rename_symbol');
  const canRefactor = actions.includes('refactor');
  if (!canDocument && !canRename && !canRefactor) return null;

  // Jobs read the project's latest synced commit: line numbers of an older commit could point elsewhere.
  const latest = project.data?.last_commit;
  if (latest && !latest.startsWith(commit) && !commit.startsWith(latest)) {
    return (
      <p className="small muted ai-stale">
        AI works on the latest commit: <Link to={blobPath(projectId, latest, path)}>open this file there</Link>
      </p>
    );
  }

  const send = (body: Omit<CreateAiJobBody, 'project_id'>, after?: () => void) => {
    setHint(null);
    create.mutate(
      { project_id: projectId, path, ...body },
      {
        onSuccess: (job) => {
          after?.();
          void navigate(aiJobPath(projectId, job.job_id));
        },
      },
    );
  };
  const range = selection ? { start_line: selection.start, end_line: selection.end } : undefined;
  const lineText = (n: number) => (file.data?.encoding === 'utf8' ? (file.data.content.split('\n')[n - 1] ?? '') : '');
  // The name to rename: the selected text when it is one identifier, else what the selected line declares.
  const suggestedSymbol = () => {
    const picked = window.getSelection()?.toString().trim() ?? '';
    if (isIdentifier(picked)) return picked;
    return selection ? (declaredName(lineText(selection.start)) ?? '') : '';
  };

  const documentFunction = () => {
    if (!range) {
      setHint('Select a line of the function first: click its line number, then Document.');
      return;
    }
    send({ action: 'document_function', range });
  };
  const busy = create.isPending && open === null;

  return (
    <div className="ai-actions" role="group" aria-label="AI" aria-describedby={hint ? hintId : undefined}>
      {canDocument && (
        <button type="button" onClick={documentFunction} disabled={busy}>
          {busy ? 'Asking…' : 'Document'}
          <span className="visually-hidden">
            {selection ? ` the function at line ${selection.start}` : ' the function at the selected line'}
          </span>
        </button>
      )}
      {canRename && (
        <button
          type="button"
          onClick={() => {
            create.reset();
            setOpen('rename');
          }}
        >
          Rename symbol…
        </button>
      )}
      {canRefactor && (
        <button
          type="button"
          onClick={() => {
            create.reset();
            setOpen('refactor');
          }}
        >
          Refactor…
        </button>
      )}
      {hint && (
        <p id={hintId} className="small ai-hint" role="status">
          {hint}
        </p>
      )}
      {create.isError && open === null && (
        <p className="field-error small" role="alert">
          Could not ask: {errorWords(create.error).message}
        </p>
      )}
      <AiDialog open={open === 'rename'} title="Rename a symbol" onClose={() => setOpen(null)}>
        <RenameForm
          path={path}
          line={selection?.start ?? null}
          initialSymbol={open === 'rename' ? suggestedSymbol() : ''}
          busy={create.isPending}
          error={create.isError ? create.error : null}
          onSubmit={(symbol, newName) =>
            send({ action: 'rename_symbol', symbol, new_name: newName, ...(range && { range }) }, () => setOpen(null))
          }
          onCancel={() => setOpen(null)}
        />
      </AiDialog>
      <AiDialog open={open === 'refactor'} title="Refactor with the model" onClose={() => setOpen(null)}>
        <RefactorForm
          path={path}
          busy={create.isPending}
          error={create.isError ? create.error : null}
          onSubmit={(instructions) => send({ action: 'refactor', instructions }, () => setOpen(null))}
          onCancel={() => setOpen(null)}
        />
      </AiDialog>
    </div>
  );
}

/** The rename dialog's form: the symbol (prefilled), the new name, both checked before anything is sent. */
function RenameForm({
  path,
  line,
  initialSymbol,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  path: string;
  line: number | null;
  initialSymbol: string;
  busy: boolean;
  error: unknown;
  onSubmit: (symbol: string, newName: string) => void;
  onCancel: () => void;
}) {
  const [symbol, setSymbol] = useState(initialSymbol);
  const [newName, setNewName] = useState('');
  const [problems, setProblems] = useState<{ symbol?: string; newName?: string }>({});
  const ids = { symbol: useId(), newName: useId() };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = renameProblems(symbol, newName);
    setProblems(found);
    if (found.symbol || found.newName) {
      document.getElementById(found.symbol ? `${ids.symbol}-input` : `${ids.newName}-input`)?.focus();
      return;
    }
    onSubmit(symbol.trim(), newName.trim());
  };

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <p className="small">
        Every use of the symbol in the project is renamed, in one suggestion for you to review. It is looked for{' '}
        {line ? (
          <>
            at line {line} of <code>{path}</code>
          </>
        ) : (
          <>
            where <code>{path}</code> declares it
          </>
        )}
        .
      </p>
      <IdentifierField id={ids.symbol} label="Symbol" value={symbol} onChange={setSymbol} problem={problems.symbol} />
      <IdentifierField
        id={ids.newName}
        label="New name"
        value={newName}
        onChange={setNewName}
        problem={problems.newName}
      />
      {error !== null && <ErrorPanel error={error} title="The rename was not queued" />}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Asking…' : 'Rename'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The refactor dialog's form: what to change in this file, in words for the model. */
function RefactorForm({
  path,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  path: string;
  busy: boolean;
  error: unknown;
  onSubmit: (instructions: string) => void;
  onCancel: () => void;
}) {
  const [instructions, setInstructions] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { field: useId(), problem: useId() };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = instructions.trim();
    const found = !text
      ? 'Say what to change.'
      : text.length > MAX_INSTRUCTIONS
        ? `Keep the instructions under ${MAX_INSTRUCTIONS.toLocaleString()} characters (${text.length.toLocaleString()} now).`
        : null;
    setProblem(found);
    if (found) {
      document.getElementById(ids.field)?.focus();
      return;
    }
    onSubmit(text);
  };

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <p className="small">
        The model rewrites <code>{path}</code> as you ask; the result is a suggestion for you to review. Its text, and
        this file, are sent to the configured model.
      </p>
      <label htmlFor={ids.field}>
        Instructions
        <textarea
          id={ids.field}
          rows={5}
          value={instructions}
          onChange={(e) => setInstructions(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? ids.problem : undefined}
        />
      </label>
      {problem && (
        <p id={ids.problem} className="field-error">
          {problem}
        </p>
      )}
      {error !== null && <ErrorPanel error={error} title="The refactor was not queued" />}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Asking…' : 'Refactor'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** A text field for an identifier (`<id>-input`), with its problem, when there is one, under it (`<id>`). */
function IdentifierField({
  id,
  label,
  value,
  onChange,
  problem,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  problem: string | null | undefined;
}) {
  return (
    <>
      <label htmlFor={`${id}-input`}>
        {label}
        <input
          id={`${id}-input`}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? id : undefined}
        />
      </label>
      {problem && (
        <p id={id} className="field-error">
          {problem}
        </p>
      )}
    </>
  );
}
