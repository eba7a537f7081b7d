import {
  errors,
  type AdminLogoutResult,
  type AdminUpdateUserBody,
  type AdminUser,
  type AdminUserDetail,
  type AdminUserPage,
  type AdminUserQuery,
} from '@hivesync/core';
import type { Database } from '../../infra/db.js';
import type { AuditService } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { AuthContext } from '../auth/auth.types.js';
import { badInput, requireInstanceAdmin } from './admin-access.js';
import { AdminUsersRepository, type AdminUserRow } from './users.repository.js';

const PAGE_DEFAULT = 50;

/**
 * User management for instance admins: list and search, view, change role, disable and enable, force log-out,
 * delete. Two rules keep the instance administrable: no change may leave it without an enabled admin (409), and a
 * user who owns projects cannot be deleted (409: transfer or delete those projects first).
 */
export class AdminUsersService {
  readonly repo: AdminUsersRepository;

  constructor(
    private readonly db: Database,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {
    this.repo = new AdminUsersRepository(db.orm);
  }

  async list(auth: AuthContext, query: AdminUserQuery): Promise<AdminUserPage> {
    requireInstanceAdmin(auth);
    const limit = query.limit ?? PAGE_DEFAULT;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.repo.list(query, limit + 1, after);
    const page = rows.slice(0, limit);
    return {
      users: page.map(toAdminUser),
      next_cursor: rows.length > limit ? Buffer.from(page.at(-1)!.email).toString('base64url') : null,
    };
  }

  async get(auth: AuthContext, id: string): Promise<AdminUserDetail> {
    requireInstanceAdmin(auth);
    const row = await this.repo.find(id);
    if (!row) throw errors.notFound('user');
    const [projects, sessions] = await Promise.all([this.repo.projectsOf(id), this.repo.liveSessions(id)]);
    return {
      ...toAdminUser(row),
      projects: projects.map((p) => ({ project_id: p.projectId, name: p.name, role: p.role })),
      sessions: sessions.map((s) => ({
        session_id: s.id,
        client: s.client,
        user_agent: s.userAgent,
        created_at: s.createdAt.toISOString(),
        last_used_at: s.lastUsedAt.toISOString(),
        expires_at: s.expiresAt.toISOString(),
      })),
    };
  }

  /**
   * Changes role and/or disabled. Disabling ends every session and refuses the user's tokens on every instance at
   * once; a change that would leave no enabled admin is refused with 409.
   */
  async update(auth: AuthContext, id: string, body: AdminUpdateUserBody): Promise<AdminUser> {
    requireInstanceAdmin(auth);
    const { before, after } = await this.db.transaction(async (tx) => {
      await this.repo.lockAdminChanges(tx.orm);
      const current = await this.repo.find(id, tx.orm);
      if (!current) throw errors.notFound('user');
      const role = body.role ?? current.role;
      const disabled = body.disabled ?? current.disabledAt !== null;
      const stillAdmin = role === 'admin' && !disabled;
      if (current.role === 'admin' && current.disabledAt === null && !stillAdmin) {
        if ((await this.repo.otherEnabledAdmins(tx.orm, id)) === 0) {
          throw errors.conflict(
            id === auth.userId
              ? 'You are the last enabled instance admin: make someone else an admin first.'
              : 'This is the last enabled instance admin.',
            { reason: 'last_admin' },
          );
        }
      }
      const set: { role?: 'user' | 'admin'; disabledAt?: Date | null } = {};
      if (role !== current.role) set.role = role;
      if (disabled !== (current.disabledAt !== null)) set.disabledAt = disabled ? new Date() : null;
      if (Object.keys(set).length > 0) {
        await this.repo.update(tx.orm, id, set);
        await this.audit.record(
          {
            actorId: auth.userId,
            action: 'admin.user_updated',
            target: { type: 'user', id },
            ip: auth.ip ?? null,
            details: {
              ...(set.role && { role: { from: current.role, to: set.role } }),
              ...(set.disabledAt !== undefined && { disabled: set.disabledAt !== null }),
            },
          },
          tx.orm,
        );
      }
      return { before: current, after: (await this.repo.find(id, tx.orm))! };
    });
    if (after.role !== before.role || (after.disabledAt === null) !== (before.disabledAt === null)) {
      await this.auth.userChanged(id);
    }
    if (after.disabledAt !== null && before.disabledAt === null) await this.auth.endSessionsOf(id);
    return toAdminUser(after);
  }

  /** Ends every session of the user. */
  async logout(auth: AuthContext, id: string): Promise<AdminLogoutResult> {
    requireInstanceAdmin(auth);
    if (!(await this.repo.find(id))) throw errors.notFound('user');
    const revoked = await this.auth.endSessionsOf(id);
    await this.audit.record({
      actorId: auth.userId,
      action: 'admin.user_logout',
      target: { type: 'user', id },
      ip: auth.ip ?? null,
      details: { revoked_sessions: revoked },
    });
    return { revoked_sessions: revoked };
  }

  /**
   * Deletes a user and their sessions; their comments, threads and jobs stay, with no author. Refused (409) while
   * they own a project, and for the last enabled admin.
   */
  async delete(auth: AuthContext, id: string): Promise<void> {
    requireInstanceAdmin(auth);
    await this.db.transaction(async (tx) => {
      await this.repo.lockAdminChanges(tx.orm);
      const current = await this.repo.find(id, tx.orm);
      if (!current) throw errors.notFound('user');
      const owned = await this.repo.ownedProjects(tx.orm, id);
      if (owned.length > 0) {
        throw errors.conflict(
          'This user owns projects: transfer their ownership or delete them before deleting the user.',
          { reason: 'owns_projects', projects: owned.map((p) => ({ project_id: p.id, name: p.name })) },
        );
      }
      if (current.role === 'admin' && current.disabledAt === null) {
        if ((await this.repo.otherEnabledAdmins(tx.orm, id)) === 0) {
          throw errors.conflict('This is the last enabled instance admin.', { reason: 'last_admin' });
        }
      }
      await this.audit.record(
        {
          actorId: auth.userId,
          action: 'admin.user_deleted',
          target: { type: 'user', id },
          ip: auth.ip ?? null,
          details: { email: current.email },
        },
        tx.orm,
      );
      await this.repo.delete(tx.orm, id);
    });
    // Their sessions went with the row; every instance drops what it remembers of the user and refuses the tokens.
    await this.auth.userChanged(id);
  }
}

function decodeCursor(cursor: string): string {
  const email = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!email.includes('@')) throw badInput('cursor', 'must be a next_cursor from a previous page');
  return email;
}

/** The admin API's view of a user. */
export function toAdminUser(row: AdminUserRow): AdminUser {
  return {
    user_id: row.id,
    email: row.email,
    display_name: row.displayName,
    role: row.role,
    disabled: row.disabledAt !== null,
    disabled_at: row.disabledAt ? row.disabledAt.toISOString() : null,
    created_at: row.createdAt.toISOString(),
    last_login_at: row.lastLoginAt ? row.lastLoginAt.toISOString() : null,
    project_count: row.projectCount,
  };
}
