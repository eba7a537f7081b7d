import { ErrorPanel } from '@hivesync/ui';
import { Link } from 'react-router';
import { useMappings, useProjects } from '../queries.js';

/** The user's projects, each with the folders mapped to it on this machine. */
export function ProjectsView() {
  const projects = useProjects();
  const mappings = useMappings();
  return (
    <section>
      <div className="page-head">
        <h1>Projects</h1>
        <Link className="button" to="/folders">
          Map a folder
        </Link>
      </div>
      {projects.isPending && <p aria-live="polite">Loading…</p>}
      {projects.isError && <ErrorPanel error={projects.error} />}
      {projects.data?.projects.length === 0 && <p className="muted">You are in no project yet.</p>}
      <ul className="project-cards">
        {projects.data?.projects.map((p) => {
          const folders = mappings.data?.filter((m) => m.project_id === p.id) ?? [];
          return (
            <li key={p.id} className="card">
              <h2>
                <Link to={`/projects/${p.id}`}>{p.name}</Link>
              </h2>
              <p className="small muted">
                {p.repo_url ?? 'no repository'} · {p.branch}
              </p>
              <p className="small">
                {folders.length === 0
                  ? 'No folder mapped on this machine.'
                  : folders.map((m) => (
                      <code key={m.folder} className="folder">
                        {m.folder}
                      </code>
                    ))}
              </p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
