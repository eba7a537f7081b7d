import { Link } from 'react-router';
import { useProjectQuery } from '../queries/projects.js';

/** "← <project>" at the top of a project's secondary pages (history, a commit, search). */
export function ProjectBackLink({ projectId }: { projectId: string }) {
  const project = useProjectQuery(projectId);
  return (
    <p>
      <Link to={`/projects/${encodeURIComponent(projectId)}`}>← {project.data?.name ?? 'Project'}</Link>
    </p>
  );
}
