import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { ACTIVE_SYNC_STATUSES, projects, repoSyncs } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type SyncRow = typeof repoSyncs.$inferSelect;

/** Sync records and the repository columns of projects. */
export class RepoRepository {
  constructor(private readonly orm: Orm) {}

  /** Inserts a queued sync unless one is already active for the project (then returns undefined). */
  async insertSync(orm: Orm, row: typeof repoSyncs.$inferInsert): Promise<SyncRow | undefined> {
    const rows = await orm.insert(repoSyncs).values(row).onConflictDoNothing().returning();
    return rows[0];
  }

  /** Records the queue job of a sync (known only once it is sent, in the same transaction). */
  async setJobId(orm: Orm, id: string, jobId: string): Promise<void> {
    await orm.update(repoSyncs).set({ jobId }).where(eq(repoSyncs.id, id));
  }

  async findActiveSync(projectId: string, orm: Orm = this.orm): Promise<SyncRow | undefined> {
    const [row] = await orm
      .select()
      .from(repoSyncs)
      .where(and(eq(repoSyncs.projectId, projectId), inArray(repoSyncs.status, [...ACTIVE_SYNC_STATUSES])))
      .limit(1);
    return row;
  }

  async findSync(id: string): Promise<SyncRow | undefined> {
    const [row] = await this.orm.select().from(repoSyncs).where(eq(repoSyncs.id, id)).limit(1);
    return row;
  }

  async listSyncs(projectId: string, limit: number): Promise<SyncRow[]> {
    return this.orm
      .select()
      .from(repoSyncs)
      .where(eq(repoSyncs.projectId, projectId))
      .orderBy(desc(repoSyncs.createdAt))
      .limit(limit);
  }

  /** The most recent finished sync of a project (for "did the last one fail?"). */
  async lastFinishedSync(projectId: string, excludeId: string): Promise<SyncRow | undefined> {
    const [row] = await this.orm
      .select()
      .from(repoSyncs)
      .where(
        and(
          eq(repoSyncs.projectId, projectId),
          inArray(repoSyncs.status, ['completed', 'failed']),
          sql`${repoSyncs.id} <> ${excludeId}`,
        ),
      )
      .orderBy(desc(repoSyncs.finishedAt))
      .limit(1);
    return row;
  }

  async updateSync(
    id: string,
    patch: Partial<typeof repoSyncs.$inferInsert>,
    orm: Orm = this.orm,
  ): Promise<SyncRow | undefined> {
    const [row] = await orm.update(repoSyncs).set(patch).where(eq(repoSyncs.id, id)).returning();
    return row;
  }

  /** Records a project's last synced commit, and the branch it came from (a followed default branch may move). */
  async markProjectSynced(
    projectId: string,
    commit: string,
    at: Date,
    branch: string,
    orm: Orm = this.orm,
  ): Promise<void> {
    await orm.update(projects).set({ lastCommit: commit, lastSyncedAt: at, branch }).where(eq(projects.id, projectId));
  }

  async findProject(projectId: string) {
    const [row] = await this.orm.select().from(projects).where(eq(projects.id, projectId)).limit(1);
    return row;
  }

  async setCredential(
    projectId: string,
    credential: { type: 'https_token' | 'ssh_key'; ciphertext: string; setBy: string } | null,
  ) {
    await this.orm
      .update(projects)
      .set({
        credentialType: credential?.type ?? null,
        credentialCiphertext: credential?.ciphertext ?? null,
        credentialSetBy: credential?.setBy ?? null,
        updatedAt: new Date(),
      })
      .where(eq(projects.id, projectId));
  }

  /** Projects with a schedule whose last sync started longer ago than their interval and that have none active. */
  async projectsDueForSync(now: Date): Promise<string[]> {
    const rows = await this.orm
      .select({ id: projects.id })
      .from(projects)
      .where(
        and(
          isNotNull(projects.syncIntervalMinutes),
          isNotNull(projects.repoUrl),
          sql`not exists (select 1 from ${repoSyncs} s where s.project_id = ${projects.id}
                and (s.status in ('queued', 'running', 'updating_files', 'cleaning', 'finalizing')
                     or s.created_at > ${now.toISOString()}::timestamptz - make_interval(mins => ${projects.syncIntervalMinutes})))`,
        ),
      );
    return rows.map((r) => r.id);
  }
}
