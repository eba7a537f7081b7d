import { and, asc, desc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { SuggestionState } from '@hivesync/core';
import { aiJobs, suggestionEvents, suggestions } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type JobRow = typeof aiJobs.$inferSelect;
export type SuggestionRow = typeof suggestions.$inferSelect;
export type SuggestionEventRow = typeof suggestionEvents.$inferSelect;

/** Where a page of jobs ends: the last job's creation time in microseconds (as text) and its id. */
export type JobKey = [createdAtMicros: string, id: string];

/** How a job ended badly: the code and message its readers see. */
export interface JobFailure {
  errorCode: string;
  errorMessage: string;
  /** The failed attempt's log in the `ai-logs` bucket, when it could be written. */
  logKey?: string;
  /** The provider that ran it, and the tokens it reported (null where it reports none). */
  provider?: string;
  promptTokens?: number | null;
  completionTokens?: number | null;
}

/** AI jobs, the suggestions they produce, and each suggestion's moves between states. */
export class AiRepository {
  constructor(private readonly orm: Orm) {}

  // ---- jobs ----

  async insertJob(orm: Orm, row: typeof aiJobs.$inferInsert): Promise<JobRow> {
    const [inserted] = await orm.insert(aiJobs).values(row).returning();
    return inserted!;
  }

  async findJob(id: string): Promise<JobRow | undefined> {
    const [row] = await this.orm.select().from(aiJobs).where(eq(aiJobs.id, id)).limit(1);
    return row;
  }

  /**
   * A project's jobs, newest first (then by id), after `after` when given: up to `limit` of them, each with the key
   * that orders it (for the next page's cursor).
   */
  async listJobs(projectId: string, limit: number, after?: JobKey): Promise<Array<JobRow & { key: JobKey }>> {
    // Microseconds, as PostgreSQL keeps them: a JavaScript Date (milliseconds) would skip or repeat jobs at a page's edge.
    const micros = sql<string>`(extract(epoch from ${aiJobs.createdAt}) * 1000000)::bigint::text`;
    const rows = await this.orm
      .select({ job: aiJobs, micros })
      .from(aiJobs)
      .where(
        and(
          eq(aiJobs.projectId, projectId),
          after
            ? sql`((extract(epoch from ${aiJobs.createdAt}) * 1000000)::bigint, ${aiJobs.id}) < (${after[0]}::bigint, ${after[1]})`
            : undefined,
        ),
      )
      .orderBy(desc(aiJobs.createdAt), desc(aiJobs.id))
      .limit(limit);
    return rows.map((r) => ({ ...r.job, key: [String(r.micros), r.job.id] }));
  }

  /** Marks a job running; `startedAt` is kept from its first attempt by the caller. */
  async startJob(id: string, startedAt: Date): Promise<void> {
    await this.orm.update(aiJobs).set({ status: 'running', startedAt }).where(eq(aiJobs.id, id));
  }

  async completeJob(
    orm: Orm,
    id: string,
    outcome: {
      result: Record<string, unknown> | null;
      message: string | null;
      /** A result too large for the row, in `artifacts`. */
      resultKey?: string | null;
      /** The job's log in `ai-logs`. */
      logKey?: string | null;
      /** The provider that ran it, and the tokens it reported (null where it reports none). */
      provider?: string;
      promptTokens?: number | null;
      completionTokens?: number | null;
    },
  ): Promise<void> {
    await orm
      .update(aiJobs)
      .set({
        status: 'completed',
        result: outcome.result,
        message: outcome.message,
        resultKey: outcome.resultKey ?? null,
        logKey: outcome.logKey ?? null,
        provider: outcome.provider ?? null,
        promptTokens: outcome.promptTokens ?? null,
        completionTokens: outcome.completionTokens ?? null,
        finishedAt: new Date(),
      })
      .where(eq(aiJobs.id, id));
  }

  /**
   * Clears the log reference of up to `limit` jobs created before `cutoff` that still have one, and returns the keys
   * (for the caller to delete the objects, after no row refers to them).
   */
  async clearExpiredLogKeys(cutoff: Date, limit: number): Promise<string[]> {
    // The old key comes from the CTE: RETURNING alone would give the cleared (null) value.
    const result = await this.orm.execute(sql`
      with due as (
        select id, log_key from ai_jobs
        where log_key is not null and created_at < ${cutoff.toISOString()}::timestamptz
        limit ${limit}
        for update skip locked
      )
      update ai_jobs set log_key = null from due where ai_jobs.id = due.id
      returning due.log_key as key`);
    const rows = (result as unknown as { rows: { key: string }[] }).rows;
    return rows.map((r) => r.key);
  }

  async failJob(orm: Orm, id: string, failure: JobFailure): Promise<void> {
    await orm
      .update(aiJobs)
      .set({ status: 'failed', ...failure, finishedAt: new Date() })
      .where(eq(aiJobs.id, id));
  }

  /** Fails a job unless it already finished (completed or failed); returns it when it was failed here. */
  async failUnfinishedJob(orm: Orm, id: string, failure: JobFailure): Promise<JobRow | undefined> {
    const [failed] = await orm
      .update(aiJobs)
      .set({ status: 'failed', ...failure, finishedAt: new Date() })
      .where(and(eq(aiJobs.id, id), notInArray(aiJobs.status, ['completed', 'failed'])))
      .returning();
    return failed;
  }

  // ---- suggestions ----

  async insertSuggestion(orm: Orm, row: typeof suggestions.$inferInsert): Promise<void> {
    await orm.insert(suggestions).values(row);
  }

  async findSuggestion(id: string): Promise<SuggestionRow | undefined> {
    const [row] = await this.orm.select().from(suggestions).where(eq(suggestions.id, id)).limit(1);
    return row;
  }

  /** The ids of a project's newest `limit` suggestions (in `state`, if given), newest first. */
  async listSuggestionIds(projectId: string, state: SuggestionState | undefined, limit: number): Promise<string[]> {
    const rows = await this.orm
      .select({ id: suggestions.id })
      .from(suggestions)
      .where(and(eq(suggestions.projectId, projectId), state ? eq(suggestions.state, state) : undefined))
      .orderBy(desc(suggestions.createdAt))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** The ids of the suggestions the given jobs produced. */
  async suggestionIdsOfJobs(jobIds: string[]): Promise<string[]> {
    const rows = await this.orm
      .select({ id: suggestions.id })
      .from(suggestions)
      .where(inArray(suggestions.jobId, jobIds));
    return rows.map((r) => r.id);
  }

  /** The suggestions with these ids, newest first. */
  async listSuggestions(ids: string[]): Promise<SuggestionRow[]> {
    return this.orm.select().from(suggestions).where(inArray(suggestions.id, ids)).orderBy(desc(suggestions.createdAt));
  }

  /** Every state change of these suggestions, oldest first. */
  async listEvents(suggestionIds: string[]): Promise<SuggestionEventRow[]> {
    return this.orm
      .select()
      .from(suggestionEvents)
      .where(inArray(suggestionEvents.suggestionId, suggestionIds))
      .orderBy(asc(suggestionEvents.id));
  }

  /**
   * Moves a suggestion from `from` to `to` and records who did it; false (nothing written) when it is no longer in
   * `from`, so two concurrent moves cannot both succeed.
   */
  async moveSuggestion(
    orm: Orm,
    id: string,
    move: { from: SuggestionState; to: SuggestionState; actorId: string; comment?: string | null },
  ): Promise<boolean> {
    const updated = await orm
      .update(suggestions)
      .set({ state: move.to })
      .where(and(eq(suggestions.id, id), eq(suggestions.state, move.from)))
      .returning({ id: suggestions.id });
    if (updated.length === 0) return false;
    await orm.insert(suggestionEvents).values({
      suggestionId: id,
      fromState: move.from,
      toState: move.to,
      actorId: move.actorId,
      comment: move.comment ?? null,
    });
    return true;
  }
}
