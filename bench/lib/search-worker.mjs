/**
 * A process that only searches, as an API instance does: it opens a search index and answers queries read as JSON
 * lines on stdin (`{"commit", "query", "all"?}`: `all` pages through every match) with
 * `{"ms", "matches", "files", "files_read", "scan"}` lines; on `{"rss": true}` it answers its peak resident set
 * (VmHWM) and current one (VmRSS), in bytes. The bench times the round trips and reads the peak, so the memory
 * figure is that of a process doing nothing but searching (its search threads included). Plain JavaScript on the
 * built package, run by node alone with the server's Node.js flags (`SERVER_NODE_FLAGS`), as the server runs (a
 * TypeScript loader would add its own 30 MB to the figure).
 * Its search threads are the server's default (HIVESYNC_SEARCH_THREADS: one per core but one, 1 to 4).
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { SearchIndex, SearchPool } from '@hivesync/search';

const pool = new SearchPool(); // (the server's default size)
const index = new SearchIndex(process.argv[2], { pool });
const out = (v) => process.stdout.write(`${JSON.stringify(v)}\n`);
const kib = (field) => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};

out({ ready: true });
for await (const line of readline.createInterface({ input: process.stdin })) {
  const msg = JSON.parse(line);
  if (msg.rss) {
    out({ peak: kib('VmHWM'), now: kib('VmRSS') });
    continue;
  }
  const started = performance.now();
  let page = await index.search(msg.commit, msg.query);
  // (A count's pages answer `count`; other pages their matches.)
  let matches = page.count ?? page.matches.length;
  let filesRead = page.files_read;
  // `all`: every page, as a client pages through the API (10,000 lines a page at most), keeping only the count.
  while (msg.all && page.next) {
    page = await index.search(msg.commit, { ...msg.query, cursor: page.next });
    matches += page.count ?? page.matches.length;
    filesRead += page.files_read;
  }
  out({ ms: performance.now() - started, matches, files: page.files.length, files_read: filesRead, scan: page.scan });
}
await index.close();
await pool.close();
