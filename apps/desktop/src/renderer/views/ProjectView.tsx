import { useId, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { AiAction, CreateAiJobBody, FolderMapping } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { useNavigate, useParams } from 'react-router';
import { client } from '../agent.js';
import { useMappings, useProject, useProjects } from '../queries.js';
import { MapFolderForm } from './FoldersView.js';
import { SendPreview } from './SendPreview.js';

/** A project on this machine: its mapped folder, Send preview, and AI jobs on a file or a selection. */
export function ProjectView() {
  const { projectId = '' } = useParams();
  const project = useProject(projectId);
  const projects = useProjects();
  const mappings = useMappings();
  const mapping = mappings.data?.find((m) => m.project_id === projectId);
  return (
    <section>
      <h1>{project.data?.name ?? 'Project'}</h1>
      {project.isError && <ErrorPanel error={project.error} />}
      {project.data && (
        <p className="small muted">
          {project.data.repo_url ?? 'no repository'} · {project.data.branch}
          {project.data.last_commit ? ` · synced at ${project.data.last_commit.slice(0, 12)}` : ' · not synced yet'}
        </p>
      )}
      {mappings.isSuccess && !mapping && (
        <>
          <p>No folder on this machine is mapped to this project: map one to send previews and apply AI patches.</p>
          <MapFolderForm projects={projects.data?.projects ?? []} projectId={projectId} />
        </>
      )}
      {mapping && (
        <>
          <p>
            Folder:{' '}
            <code className="folder" data-testid="project-folder">
              {mapping.folder}
            </code>
          </p>
          <SendPreview mapping={mapping} />
          <AiForm mapping={mapping} />
        </>
      )}
    </section>
  );
}

const ACTIONS: { value: AiAction; label: string }[] = [
  { value: 'document_function', label: 'Document the function at a line' },
  { value: 'document_file', label: 'Document a file' },
  { value: 'rename_symbol', label: 'Rename a symbol' },
  { value: 'refactor', label: 'Refactor a selection' },
];

/**
 * Asks the server's AI for a patch on a file of the project (at its latest synced commit): docs for a function or a
 * file, a rename, or a refactor of a selection. The job's page then shows the patch to review and apply here.
 */
function AiForm({ mapping }: { mapping: FolderMapping }) {
  const navigate = useNavigate();
  const headingId = useId();
  const [action, setAction] = useState<AiAction>('document_function');
  const [path, setPath] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [symbol, setSymbol] = useState('');
  const [newName, setNewName] = useState('');
  const [instructions, setInstructions] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (body: CreateAiJobBody) => client.ai.create(body),
    onSuccess: (job) => void navigate(`/projects/${mapping.project_id}/ai/${job.job_id}`),
  });
  const needsLines = action === 'document_function' || action === 'refactor';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const file = path.trim().replace(/^\.?\//, '');
    const first = Number(start);
    const last = end.trim() === '' ? first : Number(end);
    if (!file) return setProblem('Enter the file’s path in the folder, such as lib/response.js.');
    if (needsLines && !(Number.isInteger(first) && first >= 1 && Number.isInteger(last) && last >= first)) {
      return setProblem('Enter the line (or the first and last lines) of the selection, from 1.');
    }
    if (action === 'rename_symbol' && (!symbol.trim() || !newName.trim())) {
      return setProblem('Enter the symbol to rename and its new name.');
    }
    if (action === 'refactor' && !instructions.trim()) return setProblem('Say what the refactor should do.');
    setProblem(null);
    create.mutate({
      project_id: mapping.project_id,
      action,
      path: file,
      ...(needsLines && { range: { start_line: first, end_line: last } }),
      ...(action === 'rename_symbol' && { symbol: symbol.trim(), new_name: newName.trim() }),
      ...(action === 'refactor' && { instructions: instructions.trim() }),
    });
  };
  return (
    <section aria-labelledby={headingId} className="panel">
      <h2 id={headingId}>AI on a file</h2>
      <form className="stack ai-form" onSubmit={submit} noValidate aria-label="Ask the AI">
        <div className="field">
          <label htmlFor={`${headingId}-action`}>Action</label>
          <select id={`${headingId}-action`} value={action} onChange={(e) => setAction(e.target.value as AiAction)}>
            {ACTIONS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <label>
          File
          <input
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="lib/response.js"
            spellCheck={false}
          />
        </label>
        {needsLines && (
          <div className="line-range">
            <label>
              {action === 'refactor' ? 'First line' : 'Line'}
              <input inputMode="numeric" value={start} onChange={(e) => setStart(e.target.value)} />
            </label>
            {action === 'refactor' && (
              <label>
                Last line
                <input inputMode="numeric" value={end} onChange={(e) => setEnd(e.target.value)} />
              </label>
            )}
          </div>
        )}
        {action === 'rename_symbol' && (
          <div className="line-range">
            <label>
              Symbol
              <input value={symbol} onChange={(e) => setSymbol(e.target.value)} spellCheck={false} />
            </label>
            <label>
              New name
              <input value={newName} onChange={(e) => setNewName(e.target.value)} spellCheck={false} />
            </label>
          </div>
        )}
        {action === 'refactor' && (
          <label>
            What to do
            <textarea rows={3} value={instructions} onChange={(e) => setInstructions(e.target.value)} />
          </label>
        )}
        {problem && <p className="field-error">{problem}</p>}
        {create.isError && <ErrorPanel error={create.error} title="The AI job was not started" />}
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Asking…' : 'Ask the AI'}
          </button>
        </div>
      </form>
    </section>
  );
}
