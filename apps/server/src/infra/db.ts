import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from '../db/schema.js';
import type { Logger } from './logger.js';
import { acquireDataDirLock } from './data-dir-lock.js';

/** The drizzle query builder, the same type over PGlite and PostgreSQL. */
export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Raw SQL with positional parameters: the shape pg-boss takes for its `db` option. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What a transaction callback gets: the query builder and the raw executor, both bound to the transaction. */
export interface Tx {
  orm: Orm;
  sql: SqlExecutor;
  /** Runs `fn` once the transaction has committed (never if it rolls back): for publishing what it wrote. */
  afterCommit(fn: () => Promise<void> | void): void;
}

/** One database, embedded or PostgreSQL; everything above infra/ sees only this. */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** A line for the start-up banner, without credentials. */
  readonly description: string;
  readonly orm: Orm;
  readonly sql: SqlExecutor;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Runs `fn` while no other process of the installation runs set-up work (migrations, queue creation). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));
// Serializes migrations across processes sharing one PostgreSQL (several API instances starting together).
const MIGRATION_LOCK_KEY = 7_244_193_001;

/** Opens the configured database: PostgreSQL when a URL is given, else PGlite under the data directory. */
export async function openDatabase(
  options: { url: string | undefined; poolSize: number; dataDir: string },
  logger: Logger,
): Promise<Database> {
  return options.url ? openPostgres(options.url, options.poolSize, logger) : openPglite(options.dataDir);
}

// Sized for one embedded installation, not a server: small buffers keep an idle HiveSync well under 250 MB.
const PGLITE_OPTIONS = {
  initialMemory: 128 * 1024 * 1024,
  postgresqlconf: ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 32MB', 'wal_buffers = 1MB'],
};

/**
 * Creates a new embedded database in a short-lived child process: initdb grows WebAssembly memory to ~750 MB, which
 * a process can never give back, so the server itself only ever opens an existing one.
 */
async function initPgliteInChild(dir: string): Promise<void> {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = `import(${JSON.stringify(pathToFileURL(pglite).href)}).then(async ({ PGlite }) => {
    const db = await PGlite.create(${JSON.stringify(dir)});
    await db.close();
  }).catch((err) => { console.error(err && err.message); process.exit(1); });`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`could not create the embedded database: ${stderr.trim()}`)),
    );
  });
}

async function openPglite(dataDir: string): Promise<Database> {
  const release = acquireDataDirLock(dataDir);
  const dir = path.join(dataDir, 'pgdata');
  let client: PGlite;
  try {
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await initPgliteInChild(dir);
    client = await PGlite.create(dir, PGLITE_OPTIONS);
  } catch (err) {
    release();
    throw err;
  }
  const orm = drizzlePglite(client, { schema }) as unknown as Orm;
  const executorFor = (c: PGlite | PGliteTransaction): SqlExecutor => ({
    async executeSql(text, values) {
      if (values && values.length > 0) {
        const r = await c.query<Record<string, unknown>>(text, values);
        return { rows: r.rows };
      }
      // Parameterless calls may hold several statements (pg-boss's schema set-up), which only exec() runs.
      const results = await c.exec(text);
      return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
    },
  });
  return {
    kind: 'pglite',
    description: `embedded PGlite at ${dir}`,
    orm,
    sql: executorFor(client),
    transaction: (fn) =>
      withAfterCommit((afterCommit) =>
        client.transaction((tx) =>
          fn({
            orm: drizzlePglite(tx as unknown as PGlite, { schema }) as unknown as Orm,
            sql: executorFor(tx),
            afterCommit,
          }),
        ),
      ),
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR }),
    // One process owns the embedded database (the data directory is locked): nothing to exclude.
    exclusive: (fn) => fn(),
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

async function openPostgres(url: string, poolSize: number, logger: Logger): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client's error (a database restart) must not crash the process; the pool replaces the client.
  pool.on('error', (err) => logger.warn({ err: { message: err.message } }, 'database connection lost'));
  const orm = drizzlePg(pool, { schema }) as unknown as Orm;
  const executorFor = (c: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async executeSql(text, values) {
      const r = await c.query(text, values as unknown[] | undefined);
      const last = Array.isArray(r) ? (r.at(-1) as pg.QueryResult) : r;
      return { rows: (last?.rows ?? []) as Record<string, unknown>[] };
    },
  });
  const host = safeHost(url);
  return {
    kind: 'postgres',
    description: `PostgreSQL at ${host} (pool of ${poolSize})`,
    orm,
    sql: executorFor(pool),
    transaction: (fn) =>
      withAfterCommit(async (afterCommit) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const orm = drizzlePg(client, { schema }) as unknown as Orm;
          const result = await fn({ orm, sql: executorFor(client), afterCommit });
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      }),
    migrate: () => exclusive(() => migratePg(drizzlePg(pool), { migrationsFolder: MIGRATIONS_DIR })),
    exclusive: (fn) => exclusive(fn),
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => pool.end(),
  };

  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    // A session-level advisory lock held on a dedicated connection while `fn` works through the pool.
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      return await fn();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
  }
}

/** Runs a transaction body, then the callbacks it registered with afterCommit, once it has committed. */
async function withAfterCommit<T>(run: (afterCommit: Tx['afterCommit']) => Promise<T>): Promise<T> {
  const callbacks: (() => Promise<void> | void)[] = [];
  const result = await run((fn) => callbacks.push(fn));
  for (const fn of callbacks) {
    // A failed publish must not turn a committed write into an error for the caller.
    await Promise.resolve()
      .then(fn)
      .catch(() => undefined);
  }
  return result;
}

/** host:port/database of a connection URL, never its password. */
export function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
