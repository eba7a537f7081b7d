import type { SearchQuery } from '@hivesync/search';
import { startLineProcess } from './line-process.js';
import { SERVER_NODE_FLAGS } from './processes.js';

/**
 * The search worker (bench/lib/search-worker.mjs, plain node, the server's Node.js flags) in its own process, as an
 * API instance searches: queries over stdin, answers on stdout. It does nothing else (the bench's process indexes,
 * runs ripgrep and measures).
 */
export async function startSearcher(indexDir: string) {
  const worker = await startLineProcess('bench/lib/search-worker.mjs', [indexDir], {
    flags: SERVER_NODE_FLAGS,
    ready: true,
  });
  return {
    search: (commit: string, query: SearchQuery, all = false) =>
      worker.ask<{ ms: number; matches: number; files: number; files_read: number; scan: boolean }>({
        commit,
        query,
        all,
      }),
    rss: () => worker.ask<{ peak: number; now: number }>({ rss: true }),
    stop: () => worker.stop(),
  };
}
