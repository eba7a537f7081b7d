import { Link, useParams } from 'react-router';
import { isHiveSyncError } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import './account.css';
import { ProjectNav } from '../components/ProjectNav.js';
import { useTitle } from '../components/Title.js';
import { useProjectQuery } from '../queries/projects.js';
import { CredentialSettings } from './settings/CredentialSettings.js';
import { DangerZone } from './settings/DangerZone.js';
import { GeneralSettings } from './settings/GeneralSettings.js';
import { MembersSettings } from './settings/MembersSettings.js';

/**
 * /projects/:id/settings: name, repository and branch, the HTTPS credential, members and roles, and deleting the
 * project. Owners and admins change them; other members see them read-only.
 */
export function ProjectSettingsPage() {
  const { projectId = '' } = useParams();
  const project = useProjectQuery(projectId);
  useTitle(project.data ? `Settings · ${project.data.name}` : 'Project settings');

  if (project.isPending) return <p aria-live="polite">Loading the project…</p>;
  if (project.isError) {
    if (isHiveSyncError(project.error) && project.error.code === 'not_found') return <ProjectGone />;
    return <ErrorPanel error={project.error} />;
  }
  const p = project.data;
  const canEdit = p.role === 'owner' || p.role === 'admin';
  return (
    <section className="settings-page">
      <p>
        <Link to={`/projects/${encodeURIComponent(p.id)}`}>← {p.name}</Link>
      </p>
      <h1>Settings</h1>
      <ProjectNav projectId={p.id} />
      {!canEdit && (
        <p className="notice">
          Your role in this project is <strong>{p.role}</strong>: you can see its settings, and only its owner or an
          admin can change them.
        </p>
      )}
      <GeneralSettings project={p} canEdit={canEdit} />
      <CredentialSettings project={p} canEdit={canEdit} />
      <MembersSettings project={p} canEdit={canEdit} />
      <DangerZone project={p} />
    </section>
  );
}

/** A project that does not exist (deleted, or never shared with the caller): said so, with the way back. */
export function ProjectGone() {
  useTitle('Project not found');
  return (
    <section className="narrow">
      <h1>This project does not exist</h1>
      <p>It may have been deleted, or you are not (or no longer) a member of it.</p>
      <p>
        <Link to="/projects">Go to your projects</Link>
      </p>
    </section>
  );
}
