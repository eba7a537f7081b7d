import { z } from 'zod';
import { Email, PageCursor } from './auth.js';
import { Id, Timestamp } from './common.js';

/** A member's role in a project, strongest first. */
export const ProjectRole = z.enum(['owner', 'admin', 'member', 'viewer']);
export type ProjectRole = z.infer<typeof ProjectRole>;

/** Roles that can be granted through the members API (owner is the creator's alone). */
export const GrantableRole = z.enum(['admin', 'member', 'viewer']);
export type GrantableRole = z.infer<typeof GrantableRole>;

/** How strong each role is: a check for role R passes for R and every stronger one. */
export const ROLE_RANK: Record<ProjectRole, number> = { owner: 4, admin: 3, member: 2, viewer: 1 };

export const ProjectName = z.string().trim().min(1, { message: 'name must not be empty' }).max(100);

/** Minutes between scheduled syncs: from 5 minutes to a week, or null for none. */
export const SyncInterval = z.number().int().min(5).max(10_080).nullable();

export const CreateProjectBody = z
  .object({
    name: ProjectName,
    repo_url: z.string().trim().min(1).max(2048).nullable().optional(),
    branch: z.string().trim().min(1).max(255).optional(),
    sync_interval_minutes: SyncInterval.optional(),
  })
  .meta({ id: 'CreateProjectBody' });
export type CreateProjectBody = z.input<typeof CreateProjectBody>;

export const UpdateProjectBody = z
  .object({
    name: ProjectName.optional(),
    repo_url: z.string().trim().min(1).max(2048).nullable().optional(),
    /** A branch name, or null to follow the remote's default branch again. */
    branch: z.string().trim().min(1).max(255).nullable().optional(),
    sync_interval_minutes: SyncInterval.optional(),
  })
  .meta({ id: 'UpdateProjectBody' });
export type UpdateProjectBody = z.input<typeof UpdateProjectBody>;

export const Project = z
  .object({
    id: Id,
    name: z.string(),
    repo_url: z.string().nullable(),
    branch: z.string(),
    /**
     * True when no branch was chosen: `branch` is then the remote's default branch (its HEAD), found again at each
     * sync (`main` until the first sync has asked the remote).
     */
    follows_default_branch: z.boolean(),
    role: ProjectRole,
    created_at: Timestamp,
    last_synced_at: Timestamp.nullable(),
    last_commit: z.string().nullable(),
    /** Whether a repository credential is stored; the credential itself is never returned. */
    credential: z.enum(['set', 'not set']),
    sync_interval_minutes: z.number().int().nullable(),
  })
  .meta({ id: 'Project' });
export type Project = z.infer<typeof Project>;

export const ProjectList = z.object({ projects: z.array(Project) }).meta({ id: 'ProjectList' });
export type ProjectList = z.infer<typeof ProjectList>;

export const ProjectParams = z.object({ id: Id });

/** `role` defaults to `member`. */
export const AddMemberBody = z
  .object({ email: Email, role: GrantableRole.default('member') })
  .meta({ id: 'AddMemberBody' });
export type AddMemberBody = z.input<typeof AddMemberBody>;

export const MemberAdded = z.object({ user_id: Id, role: ProjectRole }).meta({ id: 'MemberAdded' });
export type MemberAdded = z.infer<typeof MemberAdded>;

export const Member = z
  .object({ user_id: Id, email: z.string(), display_name: z.string(), role: ProjectRole, added_at: Timestamp })
  .meta({ id: 'Member' });
export type Member = z.infer<typeof Member>;

export const MemberList = z
  .object({
    members: z.array(Member),
    /** With `limit`: pass as `cursor` for the next page; null on the last one (and always without `limit`). */
    next_cursor: z.string().nullable(),
  })
  .meta({ id: 'MemberList' });
export type MemberList = z.infer<typeof MemberList>;

/** A member's new role (PATCH /projects/{id}/members/{user_id}); the owner's role is the creator's alone. */
export const UpdateMemberBody = z.object({ role: GrantableRole }).meta({ id: 'UpdateMemberBody' });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;

/** The most members a page of GET /projects/{id}/members holds. */
export const MEMBER_PAGE_MAX = 200;

/** Without `limit`, every member in one answer (as before paging existed); with it, pages in the order added. */
export const ListMembersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MEMBER_PAGE_MAX).optional(),
  cursor: PageCursor.optional(),
});
export type ListMembersQuery = z.infer<typeof ListMembersQuery>;

export const MemberParams = z.object({ id: Id, user_id: Id });
