import { and, asc, eq, sql } from 'drizzle-orm';
import type { ProjectRole } from '@hivesync/core';
import { projectMembers, projects, users } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';
import type { PageKey } from '../../http/page-cursor.js';

export type ProjectRow = typeof projects.$inferSelect;
export type ProjectWithRole = ProjectRow & { role: ProjectRole };

/** Projects and their members. */
export class ProjectsRepository {
  constructor(private readonly orm: Orm) {}

  async insert(orm: Orm, project: typeof projects.$inferInsert, ownerId: string): Promise<ProjectRow> {
    const [row] = await orm.insert(projects).values(project).returning();
    await orm.insert(projectMembers).values({ projectId: row!.id, userId: ownerId, role: 'owner' });
    return row!;
  }

  /** A project together with the given user's role in it; undefined when the user is not a member. */
  async findForMember(projectId: string, userId: string): Promise<ProjectWithRole | undefined> {
    const [row] = await this.orm
      .select({ project: projects, role: projectMembers.role })
      .from(projects)
      .innerJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, userId)))
      .where(eq(projects.id, projectId))
      .limit(1);
    return row ? { ...row.project, role: row.role } : undefined;
  }

  async listForMember(userId: string): Promise<ProjectWithRole[]> {
    const rows = await this.orm
      .select({ project: projects, role: projectMembers.role })
      .from(projects)
      .innerJoin(projectMembers, eq(projectMembers.projectId, projects.id))
      .where(eq(projectMembers.userId, userId))
      .orderBy(asc(projects.createdAt), asc(projects.id));
    return rows.map((r) => ({ ...r.project, role: r.role }));
  }

  async update(projectId: string, patch: Partial<typeof projects.$inferInsert>): Promise<ProjectRow | undefined> {
    const [row] = await this.orm
      .update(projects)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(projects.id, projectId))
      .returning();
    return row;
  }

  async delete(projectId: string): Promise<void> {
    await this.orm.delete(projects).where(eq(projects.id, projectId));
  }

  /**
   * A project's members in the order they were added (ties by user id): all of them, or with `page` at most
   * `page.limit` after `page.after` (the last row of the previous page); times compared to the millisecond, as
   * cursors carry them.
   */
  async listMembers(projectId: string, page?: { limit: number; after?: PageKey | undefined }) {
    const added = sql`date_trunc('milliseconds', ${projectMembers.addedAt})`;
    const after = page?.after;
    const query = this.orm
      .select({
        userId: projectMembers.userId,
        role: projectMembers.role,
        addedAt: projectMembers.addedAt,
        email: users.email,
        displayName: users.displayName,
      })
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(
        and(
          eq(projectMembers.projectId, projectId),
          after && sql`(${added}, ${projectMembers.userId}) > (${after.at.toISOString()}::timestamptz, ${after.id})`,
        ),
      )
      .orderBy(asc(added), asc(projectMembers.userId));
    return page ? query.limit(page.limit) : query;
  }

  async memberIds(projectId: string): Promise<string[]> {
    const rows = await this.orm
      .select({ userId: projectMembers.userId })
      .from(projectMembers)
      .where(eq(projectMembers.projectId, projectId));
    return rows.map((r) => r.userId);
  }

  /** Adds a member; false when the user already is one. */
  async addMember(orm: Orm, projectId: string, userId: string, role: ProjectRole): Promise<boolean> {
    const rows = await orm
      .insert(projectMembers)
      .values({ projectId, userId, role })
      .onConflictDoNothing()
      .returning({ userId: projectMembers.userId });
    return rows.length === 1;
  }

  async findMember(projectId: string, userId: string) {
    const [row] = await this.orm
      .select()
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
      .limit(1);
    return row;
  }

  async removeMember(projectId: string, userId: string): Promise<void> {
    await this.orm
      .delete(projectMembers)
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)));
  }

  /** Sets a member's role; false when the user is not a member. */
  async setMemberRole(projectId: string, userId: string, role: ProjectRole): Promise<boolean> {
    const rows = await this.orm
      .update(projectMembers)
      .set({ role })
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
      .returning({ userId: projectMembers.userId });
    return rows.length === 1;
  }
}
