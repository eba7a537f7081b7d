import { useState, type FormEvent } from 'react';
import { isHiveSyncError, type GrantableRole, type Member, type Project } from '@hivesync/sdk';
import { ErrorPanel } from '@hivesync/ui';
import { formatWhen } from '../../lib/format.js';
import {
  useAddMemberMutation,
  useMembersPagesQuery,
  useRemoveMemberMutation,
  useUpdateMemberMutation,
} from '../../queries/members.js';
import { useSession } from '../../session/session.js';

const ROLES: readonly { role: GrantableRole; label: string }[] = [
  { role: 'viewer', label: 'Viewer: reads code, threads and previews' },
  { role: 'member', label: 'Member: also syncs, comments, asks the AI, builds previews' },
  { role: 'admin', label: 'Admin: also changes settings and members' },
];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The members and their roles; owners and admins invite, change roles and remove. */
export function MembersSettings({ project, canEdit }: { project: Project; canEdit: boolean }) {
  const members = useMembersPagesQuery(project.id);
  const list = members.data?.pages.flatMap((p) => p.members) ?? [];
  return (
    <section aria-labelledby="members-title" className="settings-section">
      <h2 id="members-title">Members</h2>
      <p className="muted small">
        Viewers read; members also sync, comment, ask the AI and build previews; admins also change settings and
        members. The owner created the project and alone can delete it.
      </p>
      {members.isPending && <p aria-live="polite">Loading the members…</p>}
      {members.isError && <ErrorPanel error={members.error} title="Could not load the members" />}
      {list.length > 0 && (
        <ul className="member-list" aria-label="Members">
          {list.map((m) => (
            <MemberRow key={m.user_id} projectId={project.id} member={m} canEdit={canEdit} />
          ))}
        </ul>
      )}
      {members.hasNextPage && (
        <button type="button" disabled={members.isFetchingNextPage} onClick={() => void members.fetchNextPage()}>
          {members.isFetchingNextPage ? 'Loading more members…' : 'Show more members'}
        </button>
      )}
      {canEdit && <InviteForm projectId={project.id} />}
    </section>
  );
}

function MemberRow({ projectId, member, canEdit }: { projectId: string; member: Member; canEdit: boolean }) {
  const session = useSession();
  const update = useUpdateMemberMutation(projectId);
  const remove = useRemoveMemberMutation(projectId);
  const [role, setRole] = useState<string>(member.role);
  const [confirming, setConfirming] = useState(false);
  const me = session.status === 'signed_in' && session.user.id === member.user_id;
  const name = member.display_name || member.email;
  const editable = canEdit && member.role !== 'owner';
  return (
    <li className="member-item">
      <div className="member-who">
        <p className="member-name">
          {name}
          {me && <span className="muted"> (you)</span>}
        </p>
        <p className="muted small">
          {member.email} · added {formatWhen(member.added_at)}
        </p>
      </div>
      {!editable ? (
        <p className="member-role">
          <span className="badge">{member.role}</span>
        </p>
      ) : (
        <form
          className="member-controls"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            if (role !== member.role) update.mutate({ userId: member.user_id, role: role as GrantableRole });
          }}
        >
          <select
            aria-label={`Role of ${name}`}
            value={role}
            onChange={(e) => setRole(e.target.value)}
            disabled={update.isPending}
          >
            {ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {r.role}
              </option>
            ))}
          </select>
          {role !== member.role && (
            <button type="submit" className="primary" disabled={update.isPending}>
              {update.isPending ? 'Saving…' : `Make ${role}`}
            </button>
          )}
          {!confirming ? (
            <button type="button" onClick={() => setConfirming(true)} aria-label={`Remove ${name}`}>
              Remove
            </button>
          ) : (
            <span className="confirm-inline" role="group" aria-label={`Confirm removing ${name}`}>
              <span className="small">Remove {name}?</span>
              <button
                type="button"
                className="danger"
                autoFocus
                disabled={remove.isPending}
                onClick={() => remove.mutate(member.user_id)}
              >
                {remove.isPending ? 'Removing…' : 'Yes, remove'}
              </button>
              <button type="button" onClick={() => setConfirming(false)} disabled={remove.isPending}>
                Cancel
              </button>
            </span>
          )}
        </form>
      )}
      {update.isError && <ErrorPanel error={update.error} title={`Could not change ${name}’s role`} />}
      {remove.isError && <ErrorPanel error={remove.error} title={`Could not remove ${name}`} />}
    </li>
  );
}

/** Invite a registered user by email, with a role. */
function InviteForm({ projectId }: { projectId: string }) {
  const add = useAddMemberMutation(projectId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<GrantableRole>('member');
  const [problem, setProblem] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setAdded(null);
    const address = email.trim();
    if (!EMAIL.test(address)) return setProblem('Enter the email address of the person to invite.');
    setProblem(null);
    add.mutate(
      { email: address, role },
      {
        onSuccess: () => {
          setAdded(`${address} is now a ${role} of this project.`);
          setEmail('');
        },
      },
    );
  };
  const unknown = isHiveSyncError(add.error) && add.error.code === 'not_found';

  return (
    <form onSubmit={submit} className="stack invite" noValidate aria-labelledby="invite-title">
      <h3 id="invite-title">Invite a member</h3>
      <p className="muted small">They need an account on this server; they are told by a notification.</p>
      <div className="invite-fields">
        <label>
          Email
          <input type="email" name="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        {/* An explicit label: one wrapping a select would add the chosen option to the select's name. */}
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as GrantableRole)}>
            {ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {add.isError && (
        <ErrorPanel
          error={add.error}
          title={unknown ? 'No account has this email: ask them to register first' : 'Could not invite'}
        />
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={add.isPending}>
          {add.isPending ? 'Inviting…' : 'Invite'}
        </button>
        <span role="status" className="small">
          {added && !add.isPending ? added : ''}
        </span>
      </div>
    </form>
  );
}
