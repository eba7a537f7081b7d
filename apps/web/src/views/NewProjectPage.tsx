import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { useTitle } from '../components/Title.js';
import { useCreateProjectMutation } from '../queries/projects.js';

/** /projects/new: a project mirrors one repository. */
export function NewProjectPage() {
  useTitle('New project');
  const create = useCreateProjectMutation();
  const navigate = useNavigate();
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name')).trim();
    const repoUrl = String(form.get('repo_url')).trim();
    const branch = String(form.get('branch')).trim();
    if (name === '') return setProblem('Give the project a name.');
    if (repoUrl === '') return setProblem('Give the URL of the repository to mirror.');
    setProblem(null);
    create.mutate(
      { name, repo_url: repoUrl, ...(branch && { branch }) },
      { onSuccess: (project) => void navigate(`/projects/${encodeURIComponent(project.id)}`) },
    );
  };

  return (
    <section className="narrow">
      <p>
        <Link to="/projects">← Projects</Link>
      </p>
      <h1>New project</h1>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {create.isError && <ErrorPanel error={create.error} title="Could not create the project" />}
      <form onSubmit={submit} className="stack">
        <label>
          Name
          <input name="name" type="text" required maxLength={200} autoFocus />
        </label>
        <label>
          Repository URL
          <input
            name="repo_url"
            type="text"
            required
            placeholder="https://github.com/expressjs/express.git"
            aria-describedby="repo-hint"
          />
        </label>
        <p id="repo-hint" className="muted small">
          An HTTPS or SSH git URL. A private repository needs a credential, set in the project's settings.
        </p>
        <label>
          Branch <span className="muted">(optional)</span>
          <input name="branch" type="text" aria-describedby="branch-hint" />
        </label>
        <p id="branch-hint" className="muted small">
          Leave empty to follow the repository's default branch.
        </p>
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create project'}
        </button>
      </form>
    </section>
  );
}
