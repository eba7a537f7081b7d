import crypto from 'node:crypto';
import type { ObjectStorage } from '../../infra/storage.js';

/** How many patches (by key; they never change) a process keeps in memory for reads. */
const PATCH_CACHE_ENTRIES = 256;
const PATCH_CACHE_MAX_BYTES = 256 * 1024;

/**
 * AI work in the object store: each job's log (prompt/context, raw model output) in the `ai-logs` bucket under
 * `<yyyy-mm-dd of the job>/<job id>.json`, so that retention deletes whole days; patches content-addressed in
 * `artifacts` (`ai/patches/<sha256>.diff`, shared by identical patches) and results too large for a row
 * (`ai/results/<job id>.json`).
 */
export class AiObjectsRepository {
  private readonly patches = new Map<string, string>();

  constructor(
    private readonly artifacts: ObjectStorage,
    private readonly aiLogs: ObjectStorage,
  ) {}

  /** The key of a job's log: the day it was created, then its id. */
  static logKey(jobId: string, createdAt: Date): string {
    return `${dayOf(createdAt)}/${jobId}.json`;
  }

  async putLog(key: string, body: string): Promise<void> {
    await this.aiLogs.put(key, Buffer.from(body, 'utf8'));
  }

  /** A log's text, or undefined when it is gone (expired). */
  async getLog(key: string): Promise<string | undefined> {
    return (await this.aiLogs.get(key))?.toString('utf8');
  }

  async deleteLog(key: string): Promise<void> {
    await this.aiLogs.delete(key);
  }

  /** Up to `limit` log objects of one day (`yyyy-mm-dd`). */
  async listLogsOfDay(day: string, limit: number): Promise<string[]> {
    return (await this.aiLogs.list(`${day}/`, limit)).map((o) => o.key);
  }

  /** Stores a patch (once per content) and returns its key. */
  async putPatch(patch: string): Promise<string> {
    const bytes = Buffer.from(patch, 'utf8');
    const key = `ai/patches/${crypto.createHash('sha256').update(bytes).digest('hex')}.diff`;
    if (!(await this.artifacts.head(key))) await this.artifacts.put(key, bytes);
    this.remember(key, patch);
    return key;
  }

  /** A patch's text, or undefined when the object is missing. */
  async getPatch(key: string): Promise<string | undefined> {
    const cached = this.patches.get(key);
    if (cached !== undefined) return cached;
    const text = (await this.artifacts.get(key))?.toString('utf8');
    if (text !== undefined) this.remember(key, text);
    return text;
  }

  async putResult(jobId: string, result: Record<string, unknown>): Promise<string> {
    const key = `ai/results/${jobId}.json`;
    await this.artifacts.put(key, Buffer.from(JSON.stringify(result), 'utf8'));
    return key;
  }

  async getResult(key: string): Promise<Record<string, unknown> | undefined> {
    const bytes = await this.artifacts.get(key);
    return bytes ? (JSON.parse(bytes.toString('utf8')) as Record<string, unknown>) : undefined;
  }

  private remember(key: string, text: string): void {
    if (text.length > PATCH_CACHE_MAX_BYTES) return;
    this.patches.delete(key);
    this.patches.set(key, text);
    if (this.patches.size > PATCH_CACHE_ENTRIES) this.patches.delete(this.patches.keys().next().value!);
  }
}

/** `yyyy-mm-dd` (UTC) of a date. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
