import fs from 'node:fs';
import { MIN_ROUNDS } from './lib/alternate.js';
import { ROOT } from './lib/processes.js';
import { table, verdict, writeFormatted, writePerformanceDoc, type Figure, type Suite } from './lib/report.js';
import { notificationPolling } from './suites/notification-polling.js';
import { repoSearch } from './suites/repo-search.js';
import { searchIndex } from './suites/search-index.js';
import { searchLarge } from './suites/search-large.js';
import { previewLoop } from './suites/preview-loop.js';
import { coldStart, eventDelivery, jobThroughput, manyPollers } from './suites/operations.js';
import { aiAnalysis } from './suites/ai-analysis.js';
import { repoSync } from './suites/repo-sync.js';
import { firstHour } from './suites/first-hour.js';
import { aiExpress } from './suites/ai-express.js';
import { threadList } from './suites/thread-list.js';
import { aiRename } from './suites/ai-rename.js';
import { aiParseMemory } from './suites/ai-parse-memory.js';
import { anchoring } from './suites/anchoring.js';
import { agentProxy } from './suites/agent.js';
import { web } from './suites/web.js';
import { mobile } from './suites/mobile.js';
import { vscodeExtension } from './suites/vscode.js';
import { lspSuite } from './lsp.js';
import { sandboxOverhead } from './suites/sandbox.js';
import { previewsRemote } from './suites/previews-remote.js';
import { pools } from './suites/pools.js';
import { adminAnalytics } from './suites/admin-analytics.js';

/**
 * `npm run bench [-- --seconds N] [-- --rounds N] [-- --only NAME]`: every figure the issues name, each against a
 * baseline measured in alternating rounds of the same run (bench/lib/alternate.ts). Writes the table to
 * docs/PERFORMANCE.md and bench/results/latest.json; each row keeps the date it was measured on.
 * With DATABASE_URL and REDIS_URL set, suites that depend on the backends also run on PostgreSQL + Redis.
 */
const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? '') || 10;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
// Alternating rounds per ratio; never fewer than MIN_ROUNDS, or one noisy round could decide a median.
const rounds = Math.max(MIN_ROUNDS, Number(args[args.indexOf('--rounds') + 1] ?? '') || MIN_ROUNDS);

const suites: Suite[] = [
  notificationPolling,
  repoSync,
  repoSearch,
  searchIndex,
  searchLarge,
  threadList,
  adminAnalytics,
  anchoring,
  previewLoop,
  previewsRemote,
  eventDelivery,
  manyPollers,
  agentProxy,
  coldStart,
  jobThroughput,
  sandboxOverhead,
  pools,
  aiAnalysis,
  aiExpress,
  aiRename,
  aiParseMemory,
  firstHour,
  web,
  mobile,
  vscodeExtension,
  lspSuite,
];
const setups: { label: string; env: Record<string, string> }[] = [{ label: 'embedded', env: {} }];
if (process.env.DATABASE_URL && process.env.REDIS_URL) {
  setups.push({
    label: 'PostgreSQL + Redis',
    env: { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL },
  });
}

const figures: Figure[] = [];
const skip = args.includes('--skip') ? args[args.indexOf('--skip') + 1] : undefined;
const resultsFile = `${ROOT}bench/results/latest.json`;

/** Saves what has been measured so far, keeping earlier figures of suites not run now (a partial or failed run). */
async function save(): Promise<void> {
  const saved = fs.existsSync(resultsFile)
    ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { at?: string; figures: Figure[] })
    : { figures: [] };
  // Figures saved before rows had their own dates were measured at the file's date.
  const previous = saved.figures.map((f) => ({ ...f, measuredAt: f.measuredAt ?? saved.at }));
  const ran = new Set(figures.map((f) => f.suite));
  const order = (f: Figure) => suites.findIndex((s) => s.name === f.suite);
  const merged = [...previous.filter((f) => !ran.has(f.suite)), ...figures].sort((a, b) => order(a) - order(b));
  fs.mkdirSync(`${ROOT}bench/results`, { recursive: true });
  await writeFormatted(resultsFile, JSON.stringify({ at: new Date().toISOString(), figures: merged }, null, 2));
  await writePerformanceDoc(`${ROOT}docs/PERFORMANCE.md`, merged);
}

for (const suite of suites) {
  if ((only && !suite.name.includes(only)) || (skip && suite.name.includes(skip))) continue;
  for (const setup of suite.embeddedOnly ? setups.slice(0, 1) : setups) {
    process.stdout.write(`• ${suite.name} (${setup.label}) … `);
    const started = Date.now();
    const got = await suite.run({ seconds, rounds, env: setup.env, label: setup.label });
    const measuredAt = new Date().toISOString();
    figures.push(...got.map((f) => ({ ...f, measuredAt, seconds })));
    console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  await save();
}

console.log(`\n${table(figures)}\n`);
console.log('written to docs/PERFORMANCE.md and bench/results/latest.json');
const missed = figures.filter((f) => verdict(f) === 'no');
if (missed.length > 0) console.log(`goals missed: ${missed.map((f) => f.name).join('; ')}`);
const unstable = figures.filter((f) => verdict(f) === 'unstable');
if (unstable.length > 0)
  console.log(`unstable (a round beyond ±15% of the median): ${unstable.map((f) => f.name).join('; ')}`);
