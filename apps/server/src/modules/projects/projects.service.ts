import crypto from 'node:crypto';
import {
  errors,
  ROLE_RANK,
  type AddMemberBody,
  type CreateProjectBody,
  type ListMembersQuery,
  type Member,
  type MemberAdded,
  type MemberList,
  type Project,
  type ProjectRole,
  type UpdateMemberBody,
  type UpdateProjectBody,
} from '@hivesync/core';
import type { z } from 'zod';
import type { Database } from '../../infra/db.js';
import type { EventBus } from '../../infra/event-bus.js';
import type { AuthContext } from '../auth/auth.types.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import { ProjectsRepository, type ProjectWithRole } from './projects.repository.js';
import type { AuditService } from '../audit/audit.service.js';
import { repoUrlOrigin } from '../repo/repo-url.js';
import { pageCursor } from '../../http/page-cursor.js';

/** Bus message kind: a project's member was removed or changed role, or the project was deleted; body `{ project_id }`. */
export const BUS_PROJECT_ACCESS_CHANGED = 'projects.access_changed';
// How long a member's role, read once, is believed by requireProjectAccess (a change is heard at once over the bus).
const ACCESS_TTL_MS = 5000;
const ACCESS_CACHE_MAX = 10_000;

/** Checks of a project's remote, applied before anything is stored. */
export interface RemoteChecks {
  repoUrl(url: string): Promise<string>;
  branch(branch: string): Promise<string>;
}

export interface ProjectsServiceDeps {
  db: Database;
  notifications: NotificationsService;
  remote: RemoteChecks;
  onDeleted: (projectId: string) => Promise<void>;
  audit: AuditService;
  /** Tells the other processes that a project's access changed (their cached roles are dropped). */
  bus: EventBus;
  /** The id of the account with this email, if there is one (the auth module owns accounts). */
  userIdByEmail: (email: string) => Promise<string | undefined>;
}

/** Projects, members and the role checks every project-scoped feature goes through. */
export class ProjectsService {
  private readonly repo: ProjectsRepository;

  private readonly db: Database;
  private readonly notifications: NotificationsService;
  private readonly remote: RemoteChecks;
  private readonly onDeleted: (projectId: string) => Promise<void>;
  private readonly audit: AuditService;
  private readonly userIdByEmail: (email: string) => Promise<string | undefined>;
  private readonly bus: EventBus;
  /** requireProjectAccess's roles: `<project> <user>` → the role and when it was read. Members only. */
  private readonly access = new Map<string, { at: number; role: ProjectRole }>();
  /** Counts the access changes heard: a role read while one was heard is not kept. */
  private accessChanges = 0;

  constructor(deps: ProjectsServiceDeps) {
    const { db, notifications, remote, onDeleted, audit, userIdByEmail, bus } = deps;
    this.bus = bus;
    this.db = db;
    this.notifications = notifications;
    this.remote = remote;
    this.onDeleted = onDeleted;
    this.audit = audit;
    this.userIdByEmail = userIdByEmail;
    this.repo = new ProjectsRepository(db.orm);
    bus.subscribe((m) => {
      if (m.kind === BUS_PROJECT_ACCESS_CHANGED) this.forgetAccess(String(m.body.project_id));
    });
  }

  /**
   * The project as the caller sees it, if the caller's role is at least `minimum`. Non-members get 404 exactly as
   * if the project did not exist; members below the role get 403.
   */
  async requireProjectRole(auth: AuthContext, projectId: string, minimum: ProjectRole): Promise<ProjectWithRole> {
    const project = await this.repo.findForMember(projectId, auth.userId);
    if (!project) throw errors.notFound('project');
    requireRank(project.role, minimum);
    return project;
  }

  /**
   * requireProjectRole for the most frequent reads (a search), answering only the project's id and the caller's
   * role: a member's role, once read, is believed for a few seconds. Removing a member, changing a role or deleting
   * the project drops what every process believes at once (over the event bus; while Redis is away other processes
   * may believe it until the few seconds are over, as with sessions), and a change heard while the role was being
   * read wins over what was read. Non-members are asked again every time (404).
   */
  async requireProjectAccess(
    auth: AuthContext,
    projectId: string,
    minimum: ProjectRole,
  ): Promise<{ id: string; role: ProjectRole }> {
    const key = `${projectId} ${auth.userId}`;
    const now = Date.now();
    const seen = this.access.get(key);
    let role = seen && now - seen.at < ACCESS_TTL_MS ? seen.role : undefined;
    if (role === undefined) {
      const changes = this.accessChanges;
      const project = await this.repo.findForMember(projectId, auth.userId);
      if (!project) throw errors.notFound('project');
      role = project.role;
      if (changes === this.accessChanges) {
        if (this.access.size >= ACCESS_CACHE_MAX) this.access.clear();
        this.access.set(key, { at: now, role });
      }
    }
    requireRank(role, minimum);
    return { id: projectId, role };
  }

  private forgetAccess(projectId: string): void {
    this.accessChanges++;
    const prefix = `${projectId} `;
    for (const key of this.access.keys()) if (key.startsWith(prefix)) this.access.delete(key);
  }

  /** Drops the roles this process and every other one believe for a project (a member left, a role changed). */
  private async accessChanged(projectId: string): Promise<void> {
    this.forgetAccess(projectId);
    await this.bus.publish({ kind: BUS_PROJECT_ACCESS_CHANGED, body: { project_id: projectId } });
  }

  async create(auth: AuthContext, body: z.output<typeof CreateProjectBody>): Promise<Project> {
    const repoUrl = body.repo_url ? await this.remote.repoUrl(body.repo_url) : null;
    // Without a branch the project follows the remote's default branch: each sync asks the remote for its HEAD.
    const branch = await this.remote.branch(body.branch ?? 'main');
    const row = await this.db.transaction((tx) =>
      this.repo.insert(
        tx.orm,
        {
          id: crypto.randomUUID(),
          name: body.name,
          repoUrl,
          branch,
          followsDefaultBranch: body.branch === undefined,
          syncIntervalMinutes: body.sync_interval_minutes ?? null,
          createdBy: auth.userId,
        },
        auth.userId,
      ),
    );
    await this.audit.record({
      actorId: auth.userId,
      action: 'project.created',
      target: { type: 'project', id: row.id },
      projectId: row.id,
      ip: auth.ip,
    });
    return toProject({ ...row, role: 'owner' });
  }

  async list(auth: AuthContext): Promise<Project[]> {
    return (await this.repo.listForMember(auth.userId)).map(toProject);
  }

  async get(auth: AuthContext, projectId: string): Promise<Project> {
    return toProject(await this.requireProjectRole(auth, projectId, 'viewer'));
  }

  async update(auth: AuthContext, projectId: string, body: z.output<typeof UpdateProjectBody>): Promise<Project> {
    const current = await this.requireProjectRole(auth, projectId, 'admin');
    const repoUrl =
      body.repo_url === undefined || body.repo_url === null ? body.repo_url : await this.remote.repoUrl(body.repo_url);
    const detach = repoUrl !== undefined ? credentialDetachReason(current, repoUrl, auth.userId) : undefined;
    const row = await this.repo.update(projectId, {
      ...(body.name !== undefined && { name: body.name }),
      ...(repoUrl !== undefined && { repoUrl }),
      ...(detach && { credentialType: null, credentialCiphertext: null, credentialSetBy: null }),
      ...(typeof body.branch === 'string' && {
        branch: await this.remote.branch(body.branch),
        followsDefaultBranch: false,
      }),
      ...(body.branch === null && { followsDefaultBranch: true }),
      ...(body.sync_interval_minutes !== undefined && { syncIntervalMinutes: body.sync_interval_minutes }),
    });
    if (!row) throw errors.notFound('project');
    if (detach) {
      await this.audit.record({
        actorId: auth.userId,
        action: 'repo.credential_detached',
        projectId,
        ip: auth.ip,
        details: { reason: detach },
      });
    }
    return toProject({ ...row, role: current.role });
  }

  async delete(auth: AuthContext, projectId: string): Promise<void> {
    await this.requireProjectRole(auth, projectId, 'owner');
    await this.repo.delete(projectId);
    await this.accessChanged(projectId);
    await this.onDeleted(projectId);
    await this.audit.record({
      actorId: auth.userId,
      action: 'project.deleted',
      target: { type: 'project', id: projectId },
      projectId,
      ip: auth.ip,
    });
  }

  async listMembers(auth: AuthContext, projectId: string): Promise<Member[]> {
    return (await this.listMembersPage(auth, projectId, {})).members;
  }

  /** The members in the order they were added: all of them without `limit`, else a page with its next cursor. */
  async listMembersPage(auth: AuthContext, projectId: string, query: ListMembersQuery): Promise<MemberList> {
    await this.requireProjectRole(auth, projectId, 'viewer');
    const { limit } = query;
    const after = query.cursor === undefined ? undefined : pageCursor.decode(query.cursor);
    const rows = await this.repo.listMembers(projectId, limit === undefined ? undefined : { limit: limit + 1, after });
    const page = limit === undefined ? rows : rows.slice(0, limit);
    const last = page.at(-1);
    return {
      members: page.map(toMember),
      next_cursor:
        limit !== undefined && rows.length > limit && last
          ? pageCursor.encode({ at: last.addedAt, id: last.userId })
          : null,
    };
  }

  /**
   * Admins and the owner change a member's role to admin, member or viewer. The owner's role is not changed this
   * way: a project has exactly one owner, its creator, so demoting them would leave it without one (409).
   */
  async updateMember(auth: AuthContext, projectId: string, userId: string, body: UpdateMemberBody): Promise<Member> {
    await this.requireProjectRole(auth, projectId, 'admin');
    const member = await this.repo.findMember(projectId, userId);
    if (!member) throw errors.notFound('member');
    if (member.role === 'owner') {
      throw errors.conflict('The owner’s role cannot be changed: a project keeps its one owner, who created it.');
    }
    if (member.role !== body.role) {
      if (!(await this.repo.setMemberRole(projectId, userId, body.role))) throw errors.notFound('member');
      await this.accessChanged(projectId);
      await this.audit.record({
        actorId: auth.userId,
        action: 'member.role_changed',
        target: { type: 'user', id: userId },
        projectId,
        ip: auth.ip,
        details: { from: member.role, to: body.role },
      });
    }
    const updated = (await this.repo.listMembers(projectId)).find((m) => m.userId === userId);
    if (!updated) throw errors.notFound('member');
    return toMember(updated);
  }

  async addMember(auth: AuthContext, projectId: string, body: z.output<typeof AddMemberBody>): Promise<MemberAdded> {
    const project = await this.requireProjectRole(auth, projectId, 'admin');
    const userId = await this.userIdByEmail(body.email);
    if (!userId) throw errors.notFound('user with that email');
    await this.db.transaction(async (tx) => {
      if (!(await this.repo.addMember(tx.orm, projectId, userId, body.role))) {
        throw errors.conflict('That user is already a member of this project.');
      }
      await this.audit.record(
        {
          actorId: auth.userId,
          action: 'member.added',
          target: { type: 'user', id: userId },
          projectId,
          ip: auth.ip,
          details: { role: body.role },
        },
        tx.orm,
      );
      await this.notifications.notify(
        {
          userIds: [userId],
          projectId,
          type: 'project_member_added',
          payload: { project_name: project.name, role: body.role, added_by: auth.userId },
        },
        tx,
      );
    });
    return { user_id: userId, role: body.role };
  }

  /** Admins remove members; anyone but the owner may remove themselves (leave). */
  async removeMember(auth: AuthContext, projectId: string, userId: string): Promise<void> {
    const minimum: ProjectRole = userId === auth.userId ? 'viewer' : 'admin';
    await this.requireProjectRole(auth, projectId, minimum);
    const member = await this.repo.findMember(projectId, userId);
    if (!member) throw errors.notFound('member');
    if (member.role === 'owner') throw errors.conflict('The owner cannot be removed from the project.');
    await this.repo.removeMember(projectId, userId);
    await this.accessChanged(projectId);
    await this.audit.record({
      actorId: auth.userId,
      action: userId === auth.userId ? 'member.left' : 'member.removed',
      target: { type: 'user', id: userId },
      projectId,
      ip: auth.ip,
      details: { role: member.role },
    });
  }

  /** The user ids of every member, for notifying a whole project. */
  memberIds(projectId: string): Promise<string[]> {
    return this.repo.memberIds(projectId);
  }
}

/** The API's view of a member row. */
function toMember(m: { userId: string; email: string; displayName: string; role: ProjectRole; addedAt: Date }): Member {
  return {
    user_id: m.userId,
    email: m.email,
    display_name: m.displayName,
    role: m.role,
    added_at: m.addedAt.toISOString(),
  };
}

/** The API's view of a project row. */
export function toProject(row: ProjectWithRole): Project {
  return {
    id: row.id,
    name: row.name,
    repo_url: row.repoUrl,
    branch: row.branch,
    follows_default_branch: row.followsDefaultBranch,
    role: row.role,
    created_at: row.createdAt.toISOString(),
    last_synced_at: row.lastSyncedAt ? row.lastSyncedAt.toISOString() : null,
    last_commit: row.lastCommit,
    credential: row.credentialType ? 'set' : 'not set',
    sync_interval_minutes: row.syncIntervalMinutes,
  };
}

/**
 * Why a new repository URL must drop the stored credential, or undefined to keep it. A credential goes only where
 * its owner sent it: never to another scheme, host or port (an admin could otherwise point the URL at a server of
 * theirs and receive the token at the next sync), and to another path on the same host only when whoever stored it,
 * or the project's owner, makes the change.
 */
export function credentialDetachReason(
  current: Pick<ProjectWithRole, 'repoUrl' | 'credentialType' | 'credentialSetBy' | 'role'>,
  newUrl: string | null,
  userId: string,
): 'repo_url_removed' | 'host_changed' | 'path_changed_by_other' | undefined {
  if (!current.credentialType || newUrl === current.repoUrl) return undefined;
  if (newUrl === null || current.repoUrl === null) return 'repo_url_removed';
  if (repoUrlOrigin(newUrl) !== repoUrlOrigin(current.repoUrl)) return 'host_changed';
  if (current.role !== 'owner' && current.credentialSetBy !== userId) return 'path_changed_by_other';
  return undefined;
}

/** 403 below `minimum`. */
function requireRank(role: ProjectRole, minimum: ProjectRole): void {
  if (ROLE_RANK[role] < ROLE_RANK[minimum]) {
    throw errors.forbidden(`This needs the ${minimum} role or higher; yours is ${role}.`);
  }
}
