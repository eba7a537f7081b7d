import { Link, useLocation } from 'react-router';
import { ErrorPanel } from '@hivesync/ui';
import { useTitle } from '../components/Title.js';
import { formatWhen } from '../lib/format.js';
import { useProjectsQuery } from '../queries/projects.js';

/** /projects: the projects the user is a member of. */
export function ProjectsPage() {
  useTitle('Projects');
  const projects = useProjectsQuery();
  // A notice another page sends along, such as "the project was deleted".
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  return (
    <section>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <div className="page-head">
        <h1>Projects</h1>
        <Link to="/projects/new" className="button primary">
          New project
        </Link>
      </div>
      {projects.isPending && <p aria-live="polite">Loading projects…</p>}
      {projects.isError && <ErrorPanel error={projects.error} />}
      {projects.data && projects.data.projects.length === 0 && (
        <p>You are not a member of any project yet. Create one to mirror a repository.</p>
      )}
      {projects.data && projects.data.projects.length > 0 && (
        <ul className="cards" aria-label="Your projects">
          {projects.data.projects.map((p) => (
            <li key={p.id} className="card">
              <h2>
                <Link to={`/projects/${encodeURIComponent(p.id)}`}>{p.name}</Link>
              </h2>
              <p className="muted small">
                {p.repo_url ?? 'No repository'} · {p.branch} · your role: {p.role}
              </p>
              <p className="small">{p.last_synced_at ? `Synced ${formatWhen(p.last_synced_at)}` : 'Never synced'}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
