/**
 * A thread of the SearchPool: reads the chunks of searches it is given. It opens the segments a search names (kept
 * open, the least recently used closed once 256 are), keeps what the latest searches' first chunks brought
 * (CHUNK_RUNS of them), and a small page cache of its own (which its reads barely use: a thread is given the
 * candidates, so it looks no trigram up, and it keeps no file's text).
 */
import { parentPort } from 'node:worker_threads';
import { CHUNK_RUNS, type ChunkRun, type ChunkTask, prepareChunkRun, searchChunk } from './search-index.js';
import type { WorkerReply } from './search-pool.js';
import { PageCache, SegmentReader } from './segment-reader.js';

const OPEN_SEGMENTS = 256;
const cache = new PageCache(2 * 1024 * 1024);
const segments = new Map<string, Promise<SegmentReader>>();
const runs = new Map<string, Promise<ChunkRun>>();

function open(file: string): Promise<SegmentReader> {
  let reader = segments.get(file);
  if (reader) segments.delete(file);
  else {
    reader = SegmentReader.open(file.slice(file.lastIndexOf('/') + 1), file, cache);
    reader.catch(() => segments.delete(file));
    if (segments.size >= OPEN_SEGMENTS) {
      const [oldest, evicted] = segments.entries().next().value as [string, Promise<SegmentReader>];
      segments.delete(oldest);
      // A search that named it may still read it: closed a minute later.
      setTimeout(() => void evicted.then((r) => r.close()).catch(() => undefined), 60_000).unref();
    }
  }
  segments.set(file, reader);
  return reader;
}

async function run(task: ChunkTask) {
  // (A search's runs are kept as promises: if its segments cannot be opened, each of its chunks fails the same way.)
  let prepared = runs.get(task.search);
  if (!prepared) {
    if (!task.setup) throw new Error(`search ${task.search}: its first chunk on this thread is lost`);
    prepared = prepareChunkRun(task.setup, open);
    if (runs.size >= CHUNK_RUNS) runs.delete(runs.keys().next().value!);
    runs.set(task.search, prepared);
  }
  return searchChunk(await prepared, task);
}

// Chunks one after the other, in the order given (the pool gives a thread its next chunk before this one ends, and
// answers are matched to chunks by their order; a search's first chunk may await its segments' opening).
let chain: Promise<void> = Promise.resolve();
parentPort!.on('message', (task: ChunkTask) => {
  chain = chain.then(() =>
    run(task)
      .then(
        (result): WorkerReply => ({ ok: true, result }),
        (err: NodeJS.ErrnoException): WorkerReply => ({
          ok: false,
          name: err.name,
          message: err.message,
          ...(typeof err.code === 'string' && { code: err.code }),
        }),
      )
      .then((reply) => parentPort!.postMessage(reply)),
  );
});
