import { useState, type FormEvent } from 'react';
import type { Project, UpdateProjectBody } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { useUpdateProjectMutation } from '../../queries/projects.js';

const NAME_MAX = 100;

/** Name, repository URL and branch (or "follow the remote's default"), saved with one PATCH of what changed. */
export function GeneralSettings({ project, canEdit }: { project: Project; canEdit: boolean }) {
  const update = useUpdateProjectMutation(project.id);
  const [name, setName] = useState(project.name);
  const [repoUrl, setRepoUrl] = useState(project.repo_url ?? '');
  const [follow, setFollow] = useState(project.follows_default_branch);
  const [branch, setBranch] = useState(project.follows_default_branch ? '' : project.branch);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSaved(false);
    const body: UpdateProjectBody = {};
    const trimmedName = name.trim();
    const url = repoUrl.trim();
    const pinned = branch.trim();
    if (trimmedName === '') return setProblem('Give the project a name.');
    if (trimmedName.length > NAME_MAX) return setProblem(`A name has at most ${NAME_MAX} characters.`);
    if (url === '' && project.repo_url !== null) return setProblem('Give the URL of the repository to mirror.');
    if (/\s/.test(url)) return setProblem('A repository URL has no spaces.');
    if (!follow && pinned === '') return setProblem('Name the branch to mirror, or follow the default branch.');
    if (!follow && /\s/.test(pinned)) return setProblem('A branch name has no spaces.');
    if (trimmedName !== project.name) body.name = trimmedName;
    if (url !== (project.repo_url ?? '')) body.repo_url = url;
    if (follow && !project.follows_default_branch) body.branch = null;
    if (!follow && (project.follows_default_branch || pinned !== project.branch)) body.branch = pinned;
    setProblem(null);
    if (Object.keys(body).length === 0) return setProblem('Nothing to save: no setting was changed.');
    update.mutate(body, { onSuccess: () => setSaved(true) });
  };

  return (
    <section aria-labelledby="general-title" className="settings-section">
      <h2 id="general-title">General</h2>
      <form onSubmit={submit} className="stack" noValidate>
        <fieldset disabled={!canEdit} className="plain">
          <legend className="visually-hidden">Name, repository and branch</legend>
          <div className="stack">
            <label>
              Name
              <input name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
            </label>
            <label>
              Repository URL
              <input
                name="repo_url"
                value={repoUrl}
                onChange={(e) => setRepoUrl(e.target.value)}
                aria-describedby="settings-repo-hint"
                spellCheck={false}
                autoCapitalize="off"
              />
            </label>
            <p id="settings-repo-hint" className="muted small">
              An HTTPS or SSH git URL. Moving it to another host removes the HTTPS credential, so that a token is never
              sent to a server it was not meant for.
            </p>
            <fieldset>
              <legend>Branch</legend>
              <label className="check">
                <input
                  type="radio"
                  name="branch_mode"
                  checked={follow}
                  onChange={() => setFollow(true)}
                  aria-describedby="settings-branch-now"
                />
                Follow the remote's default branch
              </label>
              <label className="check">
                <input type="radio" name="branch_mode" checked={!follow} onChange={() => setFollow(false)} />
                Mirror this branch:
              </label>
              <label>
                <span className="visually-hidden">Branch name</span>
                <input
                  name="branch"
                  value={branch}
                  disabled={follow || !canEdit}
                  onChange={(e) => setBranch(e.target.value)}
                  placeholder="main"
                  spellCheck={false}
                  autoCapitalize="off"
                />
              </label>
              <p id="settings-branch-now" className="muted small">
                Mirrored now: <code>{project.branch}</code>
                {project.follows_default_branch && ' (the remote’s default, as of the last sync)'}.
              </p>
            </fieldset>
            <p className="muted small">A new URL or branch takes effect at the next sync.</p>
          </div>
        </fieldset>
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        {update.isError && <ErrorPanel error={update.error} title="Could not save the settings" />}
        {canEdit && (
          <div className="actions">
            <button type="submit" className="primary" disabled={update.isPending}>
              {update.isPending ? 'Saving…' : 'Save'}
            </button>
            <span role="status" className="small">
              {saved && !update.isPending ? 'Saved.' : ''}
            </span>
          </div>
        )}
      </form>
    </section>
  );
}
