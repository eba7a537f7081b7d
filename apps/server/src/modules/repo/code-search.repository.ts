import fs from 'node:fs/promises';
import path from 'node:path';
import { PageCache, SearchIndex, SearchPool } from '@hivesync/search';
import type { MirrorView } from './mirror.repository.js';

// Open indexes kept (each holds its segment files open); the least recently used is closed first.
const OPEN_INDEXES = 64;
// A generation directory of a mirror (`g<N>-<random>`), where the old shard index lived.
const GENERATION = /^g\d+-[0-9a-f]{6}$/;

/**
 * Where the search indexes live and how they are opened: one per project, `<data dir>/repos/<project>/search-index`,
 * beside the mirror's generations, so a re-clone (a new generation) keeps the index (blob ids do not change).
 * The only code of the search module that touches the filesystem.
 */
export class CodeSearchStore {
  private readonly open = new Map<string, SearchIndex>();
  private readonly cache: PageCache;
  /** Threads that read the files of large searches, for every project (none with `threads: 0`). */
  private readonly pool: SearchPool | undefined;

  constructor(
    private readonly reposRoot: string,
    readonly gitEnv: Record<string, string>,
    limits: { pageCacheBytes: number; threads: number },
  ) {
    this.cache = new PageCache(limits.pageCacheBytes);
    this.pool = limits.threads > 0 ? new SearchPool(limits.threads) : undefined;
  }

  /** The index of the project whose mirror `view` is. */
  indexFor(view: MirrorView): SearchIndex {
    const dir = path.join(path.dirname(path.dirname(view.gitDir)), 'search-index');
    let index = this.open.get(dir);
    if (index) {
      this.open.delete(dir);
    } else {
      index = new SearchIndex(dir, { cache: this.cache, pool: this.pool });
      if (this.open.size >= OPEN_INDEXES) {
        const [oldest, evicted] = this.open.entries().next().value as [string, SearchIndex];
        this.open.delete(oldest);
        // Searches under way may still read it: close a minute later.
        setTimeout(() => void evicted.close(), 60_000).unref();
      }
    }
    this.open.set(dir, index);
    return index;
  }

  /** Bytes of index pages held in memory now (all projects). */
  get cachedBytes(): number {
    return this.cache.size;
  }

  /** The projects that have a mirror directory. */
  async mirroredProjects(): Promise<string[]> {
    return fs.readdir(this.reposRoot).catch(() => [] as string[]);
  }

  /**
   * Removes the search index of format 0 (a copy of each commit's text in 512 KiB shards under
   * `<generation>/search/`), which this index replaces; returns how many were removed.
   */
  async removeShardIndexes(projectId: string): Promise<number> {
    const base = path.join(this.reposRoot, projectId);
    let removed = 0;
    for (const gen of await fs.readdir(base).catch(() => [] as string[])) {
      if (!GENERATION.test(gen)) continue;
      const old = path.join(base, gen, 'search');
      if (!(await fs.stat(old).catch(() => undefined))) continue;
      await fs.rm(old, { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** Closes every open index and stops the search threads. */
  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((i) => i.close()));
    await this.pool?.close();
  }
}
