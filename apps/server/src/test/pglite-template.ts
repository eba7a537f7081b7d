import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../infra/db.js';
import { createLogger } from '../infra/logger.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
const ROOT = path.join(os.tmpdir(), 'hivesync-test-pgdata');
const WAIT_MS = 180_000;

/** What the template depends on: every migration and the PGlite version. A change makes a new template. */
function templateKey(): string {
  const hash = crypto.createHash('sha256');
  // The package's own package.json is not exported: find it above its entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  hash.update(fs.readFileSync(path.join(dir, 'package.json')));
  const files = fs.readdirSync(MIGRATIONS, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of files) {
    const full = path.join(MIGRATIONS, file);
    if (fs.statSync(full).isFile()) hash.update(file).update(fs.readFileSync(full));
  }
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A migrated, empty embedded database to copy, built once per machine and schema: creating one (initdb in
 * WebAssembly, then every migration) costs ~11 s of CPU, copying it a few milliseconds. Test files in parallel
 * workers build it once between them (a lock directory), and a crash mid-build leaves no half-made template.
 */
async function template(): Promise<string> {
  const dir = path.join(ROOT, templateKey());
  const lock = `${dir}.lock`;
  const deadline = Date.now() + WAIT_MS;
  fs.mkdirSync(ROOT, { recursive: true });
  while (!fs.existsSync(dir)) {
    try {
      fs.mkdirSync(lock);
    } catch {
      // Another worker builds it; take over a lock left by a process that died while building.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > WAIT_MS) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for the test database template in ${lock}`);
      await sleep(200);
      continue;
    }
    try {
      const work = fs.mkdtempSync(path.join(ROOT, 'build-'));
      const db = await openDatabase({ url: undefined, poolSize: 1, dataDir: work }, createLogger('silent'));
      await db.migrate();
      await db.close();
      fs.renameSync(path.join(work, 'pgdata'), dir);
      fs.rmSync(work, { recursive: true, force: true });
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  return dir;
}

/** Puts a fresh copy of the migrated template database into `dataDir` (as `pgdata`), for an embedded test server. */
export async function seedEmbeddedDatabase(dataDir: string): Promise<void> {
  fs.cpSync(await template(), path.join(dataDir, 'pgdata'), { recursive: true });
}
