import { and, eq, inArray } from 'drizzle-orm';
import { previewBlobs, previewBuilds, type PreviewBuildFile } from '../../db/schema.js';
import type { Orm } from '../../infra/db.js';

export type PreviewBuildRow = typeof previewBuilds.$inferSelect;

/** Server-side preview builds and the source blobs each project holds. */
export class PreviewBuildsRepository {
  constructor(private readonly orm: Orm) {}

  async findByPreview(previewId: string): Promise<PreviewBuildRow | undefined> {
    const [row] = await this.orm.select().from(previewBuilds).where(eq(previewBuilds.previewId, previewId)).limit(1);
    return row;
  }

  async find(id: string): Promise<PreviewBuildRow | undefined> {
    const [row] = await this.orm.select().from(previewBuilds).where(eq(previewBuilds.id, id)).limit(1);
    return row;
  }

  /**
   * Sets the file list of a preview's build while it still awaits its files (inserting the build the first time);
   * undefined when the build has already started.
   */
  async setFiles(row: {
    id: string;
    previewId: string;
    projectId: string;
    entry: string | null;
    files: PreviewBuildFile[];
    totalBytes: number;
  }): Promise<PreviewBuildRow | undefined> {
    const values = {
      ...row,
      status: 'awaiting_files' as const,
      stage: 'awaiting_files',
      fileCount: row.files.length,
    };
    const [saved] = await this.orm
      .insert(previewBuilds)
      .values(values)
      .onConflictDoUpdate({
        target: previewBuilds.previewId,
        set: { entry: values.entry, files: values.files, fileCount: values.fileCount, totalBytes: values.totalBytes },
        setWhere: eq(previewBuilds.status, 'awaiting_files'),
      })
      .returning();
    return saved;
  }

  /** Moves a build from one status to another (and stage); undefined when it was not in `from` any more. */
  async transition(
    id: string,
    from: PreviewBuildRow['status'][],
    set: Partial<typeof previewBuilds.$inferInsert>,
  ): Promise<PreviewBuildRow | undefined> {
    const [row] = await this.orm
      .update(previewBuilds)
      .set(set)
      .where(and(eq(previewBuilds.id, id), inArray(previewBuilds.status, from)))
      .returning();
    return row;
  }

  /** Which of these blobs the project already holds (checked). */
  async knownBlobs(projectId: string, sha256s: string[]): Promise<Set<string>> {
    if (sha256s.length === 0) return new Set();
    const rows = await this.orm
      .select({ sha256: previewBlobs.sha256 })
      .from(previewBlobs)
      .where(and(eq(previewBlobs.projectId, projectId), inArray(previewBlobs.sha256, sha256s)));
    return new Set(rows.map((r) => r.sha256));
  }

  /** Records a checked blob of the project (once). */
  async addBlob(projectId: string, sha256: string, size: number): Promise<void> {
    await this.orm.insert(previewBlobs).values({ projectId, sha256, size }).onConflictDoNothing();
  }

  /** Forgets a blob whose object is gone (so the next file list asks for it again). */
  async removeBlob(projectId: string, sha256: string): Promise<void> {
    await this.orm
      .delete(previewBlobs)
      .where(and(eq(previewBlobs.projectId, projectId), eq(previewBlobs.sha256, sha256)));
  }
}
