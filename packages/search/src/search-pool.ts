import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { IndexFormatError } from './format.js';
import { SearchQueryError } from './matcher.js';
import { CHUNK_RUNS, type ChunkResult, type ChunkTask } from './search-index.js';

/** A chunk given to the pool: its result, and a way to say it is no longer wanted. */
export interface PoolTask {
  result: Promise<ChunkResult>;
  /**
   * Drops the chunk if no thread was given it (one given to a thread is read all the same, at most the one after
   * each thread's current chunk; its result is not used).
   */
  cancel(): void;
}

interface Queued {
  task: ChunkTask;
  resolve: (r: ChunkResult) => void;
  reject: (e: Error) => void;
  cancelled: boolean;
}

interface Slot {
  worker: Worker;
  /** Chunks posted to the thread, in order: the first is under way, the next waits in its thread. */
  posted: Queued[];
  /** The searches whose setup this thread was sent (the latest few; it keeps more, CHUNK_RUNS). */
  seen: string[];
}

/**
 * Chunks a thread is given at once: the one it reads and the next, so that it starts on that one as it ends this
 * one. With one, a thread waited for the search's own thread to hand it the next chunk, which that thread did only
 * between chunks of its own: the pool's thread idled a third of a count on the large tree.
 */
const DEPTH = 2;

/** Searches a slot remembers sending candidates for: fewer than the thread keeps, so it still has them. */
const SEEN = CHUNK_RUNS / 2;

/** What a thread answers: a chunk's result, or the error that stopped it. */
export type WorkerReply =
  { ok: true; result: ChunkResult } | { ok: false; name: string; message: string; code?: string };

// The thread's code: the built file beside this one, or, when this module runs from its TypeScript source (the
// tests), the package's build of it (`npm test` builds first).
const here = fileURLToPath(import.meta.url);
const WORKER_FILE = here.endsWith('.ts')
  ? path.join(path.dirname(here), '..', 'dist', 'search-worker.js')
  : path.join(path.dirname(here), 'search-worker.js');

/**
 * Threads that read the files of large searches (counts, pages whose matches are sparse), each with its own open
 * segments and a small page cache: a search's thread finds the candidates, the pool's threads and the search's own
 * read them in chunks, and the search's thread lets other requests in between its chunks. Threads start with the
 * first search (`warm`) and are kept; one that dies (out of memory, a crash) fails the chunk it was reading, and a
 * new one takes its place.
 */
export class SearchPool {
  /** Chunks a thread is given at once (see DEPTH): a search keeps size × depth of them under way. */
  readonly depth = DEPTH;
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private closed = false;

  /** `size` threads at most (default: one per core but one, the search's own thread reading too; 1 to 4). */
  constructor(readonly size = Math.max(1, Math.min(4, os.availableParallelism() - 1))) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('SearchPool: size must be a positive integer');
  }

  /** Queues a chunk; chunks start in the order given. */
  run(task: ChunkTask): PoolTask {
    if (this.closed) throw new Error('SearchPool: closed');
    let queued!: Queued;
    const result = new Promise<ChunkResult>((resolve, reject) => {
      queued = { task, resolve, reject, cancelled: false };
    });
    // (A chunk nobody waits for any more may still fail: that is not an unhandled rejection.)
    result.catch(() => undefined);
    this.queue.push(queued);
    this.dispatch();
    return {
      result,
      cancel: () => {
        queued.cancelled = true;
      },
    };
  }

  /**
   * Starts the threads not started yet (they load their code meanwhile, a tenth of a second or more), so the first
   * search that needs them does not wait for it.
   */
  warm(): void {
    while (!this.closed && this.slots.length < this.size) this.spawn();
  }

  /** Threads started now. */
  get threads(): number {
    return this.slots.length;
  }

  /** Stops every thread; chunks waiting or under way fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Error('SearchPool: closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      if (this.queue[0]!.cancelled) {
        this.queue.shift();
        continue;
      }
      // An idle thread first, a new one next, then one with room for a chunk after its current one.
      let slot = this.slots.find((s) => s.posted.length === 0);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      slot ??= this.slots.find((s) => s.posted.length < DEPTH);
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.posted.push(next);
      slot.worker.ref();
      // (A search's setup goes once per thread: its candidates are a byte per blob and per document of the commit.)
      if (slot.seen.includes(next.task.search)) slot.worker.postMessage({ ...next.task, setup: undefined });
      else {
        slot.seen.push(next.task.search);
        if (slot.seen.length > SEEN) slot.seen.shift();
        slot.worker.postMessage(next.task);
      }
    }
  }

  private spawn(): Slot {
    // (A small young generation: a thread's garbage is a chunk's text and matches, and V8's default let each thread
    // hold tens of MB of it between collections, a third of a searching process's memory at 2 threads.)
    const worker = new Worker(WORKER_FILE, { resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    const slot: Slot = { worker, posted: [], seen: [] };
    slot.worker.unref();
    slot.worker.on('message', (reply: WorkerReply) => {
      const done = slot.posted.shift();
      if (slot.posted.length === 0) slot.worker.unref();
      if (done) {
        if (reply.ok) done.resolve(reply.result);
        else done.reject(reviveError(reply));
      }
      this.dispatch();
    });
    const gone = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      for (const q of slot.posted.splice(0)) q.reject(new Error(`search thread stopped: ${err.message}`));
      if (!this.closed) this.dispatch();
    };
    slot.worker.on('error', gone);
    slot.worker.on('exit', (code) => gone(new Error(`exit code ${code}`)));
    this.slots.push(slot);
    return slot;
  }
}

/** The error a thread reported, as the class the caller knows (so the API answers it the same way). */
function reviveError(reply: Extract<WorkerReply, { ok: false }>): Error {
  if (reply.name === 'SearchQueryError') return new SearchQueryError(reply.message);
  if (reply.name === 'IndexFormatError') return new IndexFormatError(reply.message);
  const err: NodeJS.ErrnoException = new Error(reply.message);
  err.name = reply.name;
  // (A system error's code, ENOENT say, as the caller may act on it: see SearchIndex.parallel.)
  if (reply.code !== undefined) err.code = reply.code;
  return err;
}
