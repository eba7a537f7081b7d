import { NavLink } from 'react-router';
import { commitsPath, projectPath, treePath } from '../lib/permalink.js';

/** The sections of a project, as a tab row under its name. */
export function ProjectNav({ projectId }: { projectId: string }) {
  const sections: { to: string; label: string; end?: boolean }[] = [
    { to: projectPath(projectId), label: 'Overview', end: true },
    { to: treePath(projectId), label: 'Code' },
    { to: commitsPath(projectId), label: 'History' },
    { to: projectPath(projectId, 'threads'), label: 'Threads' },
    { to: projectPath(projectId, 'tasks'), label: 'Tasks' },
    { to: projectPath(projectId, 'ai'), label: 'AI' },
    { to: projectPath(projectId, 'previews'), label: 'Previews' },
    { to: projectPath(projectId, 'settings'), label: 'Settings' },
  ];
  return (
    <nav aria-label="Project" className="project-nav">
      <ul>
        {sections.map((s) => (
          <li key={s.label}>
            <NavLink to={s.to} end={s.end ?? false}>
              {s.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
