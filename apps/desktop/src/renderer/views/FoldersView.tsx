import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { isHiveSyncError, type FolderMapping, type Project } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { Link } from 'react-router';
import { agent, client } from '../agent.js';
import { desktopBridge } from '../bridge.js';
import { keys, useMappings, useProjects } from '../queries.js';

/** The last segment of a folder's path, as a default project name. */
export function folderName(folder: string): string {
  return (
    folder
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() || 'project'
  );
}

/** Folder ↔ project mappings: the list, and the form that adds one. */
export function FoldersView() {
  const mappings = useMappings();
  const projects = useProjects();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (folder: string) => agent.deleteMapping(folder),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.mappings }),
  });
  const name = (id: string) => projects.data?.projects.find((p) => p.id === id)?.name ?? 'a project you cannot see';
  return (
    <section>
      <h1>Folders</h1>
      <p className="muted">
        A mapped folder is a clone of a project&apos;s repository on this machine. Editors opened anywhere inside it
        know their project without asking.
      </p>
      <MapFolderForm projects={projects.data?.projects ?? []} />
      <h2>Mapped folders</h2>
      {mappings.isError && <ErrorPanel error={mappings.error} />}
      {remove.isError && <ErrorPanel error={remove.error} title="The mapping was not removed" />}
      {mappings.data?.length === 0 && <p className="muted">No folder is mapped yet.</p>}
      <ul className="mapping-list" aria-label="Mapped folders">
        {mappings.data?.map((m) => (
          <li key={m.folder}>
            <code className="folder">{m.folder}</code> →{' '}
            <Link to={`/projects/${m.project_id}`}>{name(m.project_id)}</Link>
            {m.forced && <span className="muted small"> (mapped although its remote differs)</span>}{' '}
            <button type="button" onClick={() => remove.mutate(m.folder)} disabled={remove.isPending}>
              Remove<span className="visually-hidden"> the mapping of {m.folder}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Why the agent refused a mapping, as the agent's error details say. */
interface Refusal {
  reason: string | undefined;
  remotes: string[];
}

function refusalOf(error: unknown): Refusal | null {
  if (!isHiveSyncError(error)) return null;
  const details = (error.details ?? {}) as { reason?: unknown; remotes?: unknown };
  return {
    reason: typeof details.reason === 'string' ? details.reason : undefined,
    remotes: Array.isArray(details.remotes) ? details.remotes.filter((r): r is string => typeof r === 'string') : [],
  };
}

/**
 * Pick a folder (the native picker in the app; the field takes a path typed or pasted) and link it to a project, or
 * create a project from the folder's git remote. The agent checks that the folder is a git clone of the project's
 * repository; its refusal is shown in words, with "Map anyway" for a remote that differs.
 */
export function MapFolderForm({ projects, projectId }: { projects: Project[]; projectId?: string }) {
  const queryClient = useQueryClient();
  const bridge = desktopBridge();
  const ids = { folder: useId(), project: useId() };
  const [folder, setFolder] = useState('');
  const [project, setProject] = useState(projectId ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [creating, setCreating] = useState<{ name: string; repoUrl: string } | null>(null);
  const [done, setDone] = useState<FolderMapping | null>(null);
  const map = useMutation({
    mutationFn: (input: { folder: string; project_id: string; force?: boolean }) => agent.putMapping(input),
    onSuccess: (mapping) => {
      setDone(mapping);
      setCreating(null);
      void queryClient.invalidateQueries({ queryKey: keys.mappings });
    },
  });
  const create = useMutation({
    mutationFn: async (input: { folder: string; name: string; repoUrl: string }) => {
      const created = await client.projects.create({ name: input.name, repo_url: input.repoUrl });
      // The mirror starts filling at once; the mapping does not wait for it.
      await client.repo.sync(created.id);
      return agent.putMapping({ folder: input.folder, project_id: created.id });
    },
    onSuccess: (mapping) => {
      setDone(mapping);
      setCreating(null);
      void queryClient.invalidateQueries({ queryKey: keys.mappings });
      void queryClient.invalidateQueries({ queryKey: keys.projects });
    },
  });
  const refusal = map.isError ? refusalOf(map.error) : null;

  const pick = async () => {
    const chosen = await bridge?.pickFolder();
    if (chosen) setFolder(chosen);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const path = folder.trim();
    if (!path) return setProblem('Choose a folder first.');
    if (!project) return setProblem('Choose the project to link it to.');
    setProblem(null);
    create.reset();
    map.mutate({ folder: path, project_id: project });
  };
  const startCreating = (repoUrl: string) => {
    map.reset();
    setDone(null);
    setCreating({ name: folderName(folder.trim()), repoUrl });
  };

  return (
    <form className="stack map-form" onSubmit={submit} noValidate aria-label="Map a folder">
      <h2>Map a folder</h2>
      <div className="folder-pick">
        <label htmlFor={ids.folder}>
          Folder
          <input
            id={ids.folder}
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            placeholder="/home/you/code/project"
            spellCheck={false}
            aria-describedby={`${ids.folder}-hint`}
          />
        </label>
        {bridge && (
          <button type="button" onClick={() => void pick()}>
            Choose folder…
          </button>
        )}
      </div>
      <p id={`${ids.folder}-hint`} className="small muted">
        {bridge ? 'Choose it, or type its absolute path.' : 'Type or paste the folder’s absolute path.'}
      </p>
      {!projectId && (
        <div className="field">
          <label htmlFor={ids.project}>Project</label>
          <select id={ids.project} value={project} onChange={(e) => setProject(e.target.value)}>
            <option value="">Choose a project…</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {problem && <p className="field-error">{problem}</p>}
      {map.isError && (
        <div className="error-panel" role="alert" data-testid="mapping-error">
          <h3>
            {refusal?.reason === 'not_a_git_repository'
              ? 'This folder is not a git repository'
              : refusal?.reason === 'remote_mismatch'
                ? 'This folder is a clone of another repository'
                : 'The folder was not mapped'}
          </h3>
          <p>{map.error instanceof Error ? map.error.message : String(map.error)}</p>
          {refusal?.reason === 'remote_mismatch' && (
            <div className="actions wrap">
              <button
                type="button"
                onClick={() => map.mutate({ folder: folder.trim(), project_id: project, force: true })}
              >
                Map anyway
              </button>
              {refusal.remotes.map((remote) => (
                <button key={remote} type="button" onClick={() => startCreating(remote)}>
                  Create a project from {remote}
                </button>
              ))}
            </div>
          )}
        </div>
      )}
      <div className="actions wrap">
        <button type="submit" className="primary" disabled={map.isPending}>
          {map.isPending ? 'Checking the folder…' : 'Map folder'}
        </button>
        {!projectId && (
          <button type="button" onClick={() => startCreating('')}>
            New project from this folder…
          </button>
        )}
      </div>
      {creating && (
        <fieldset className="stack create-project">
          <legend>New project from the folder&apos;s git remote</legend>
          <label>
            Project name
            <input value={creating.name} onChange={(e) => setCreating({ ...creating, name: e.target.value })} />
          </label>
          <label>
            Repository URL (the folder&apos;s remote)
            <input
              value={creating.repoUrl}
              spellCheck={false}
              onChange={(e) => setCreating({ ...creating, repoUrl: e.target.value })}
            />
          </label>
          {create.isError && <ErrorPanel error={create.error} title="The project was not created" />}
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={create.isPending || !folder.trim() || !creating.name.trim() || !creating.repoUrl.trim()}
              onClick={() =>
                create.mutate({ folder: folder.trim(), name: creating.name.trim(), repoUrl: creating.repoUrl.trim() })
              }
            >
              {create.isPending ? 'Creating…' : 'Create and map'}
            </button>
            <button type="button" onClick={() => setCreating(null)}>
              Cancel
            </button>
          </div>
        </fieldset>
      )}
      {done && (
        <p className="notice" role="status" data-testid="mapping-done">
          Mapped <code>{done.folder}</code> to{' '}
          <Link to={`/projects/${done.project_id}`}>
            {projects.find((p) => p.id === done.project_id)?.name ?? 'the project'}
          </Link>
          .
        </p>
      )}
    </form>
  );
}
