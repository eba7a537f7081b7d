import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { Project } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { useDeleteProjectMutation } from '../../queries/projects.js';

/** Deleting the project: the owner alone, after typing its name. */
export function DangerZone({ project }: { project: Project }) {
  const remove = useDeleteProjectMutation(project.id);
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const matches = typed === project.name;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!matches) return;
    remove.mutate(undefined, {
      onSuccess: () => {
        void navigate('/projects', { state: { notice: `The project “${project.name}” was deleted.` } });
        setTimeout(() => void remove.forget(), 0);
      },
    });
  };

  return (
    <section aria-labelledby="danger-title" className="settings-section danger-zone">
      <h2 id="danger-title">Danger zone</h2>
      <p>
        Deleting the project removes its mirror, threads, tasks, AI suggestions and previews for every member. It cannot
        be undone; the repository itself is not touched.
      </p>
      {project.role !== 'owner' ? (
        <p className="muted small">Only the project’s owner can delete it.</p>
      ) : !open ? (
        <button type="button" className="danger" onClick={() => setOpen(true)}>
          Delete this project…
        </button>
      ) : (
        <form onSubmit={submit} className="stack confirm" noValidate>
          <label>
            <span>
              Type the project’s name, <strong className="confirm-name">{project.name}</strong>, to confirm
            </span>
            <input
              name="confirm_name"
              value={typed}
              autoFocus
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setTyped(e.target.value)}
              aria-describedby="delete-hint"
            />
          </label>
          <p id="delete-hint" className="muted small" aria-live="polite">
            {typed !== '' && !matches ? 'That is not the project’s name yet.' : ''}
          </p>
          {remove.isError && <ErrorPanel error={remove.error} title="Could not delete the project" />}
          <div className="actions">
            <button type="submit" className="danger" disabled={!matches || remove.isPending}>
              {remove.isPending ? 'Deleting…' : 'Delete this project'}
            </button>
            <button
              type="button"
              disabled={remove.isPending}
              onClick={() => {
                setOpen(false);
                setTyped('');
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
