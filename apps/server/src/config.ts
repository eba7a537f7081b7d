import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parsePools, type Pool } from './jobs/pools.js';

/**
 * The only reader of process.env. Every setting is documented here and in docs/CONFIGURATION.md; every problem is
 * reported at once and start-up stops with exit code 1.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

// Names proxy-addr (Fastify's trustProxy) knows for address ranges.
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** `HIVESYNC_TRUST_PROXY`: a comma-separated list of proxy addresses, CIDRs or range names; `false` is none. */
const trustedProxies = z.string().transform((value, ctx) => {
  const v = value.trim().toLowerCase();
  if (['false', '0', 'no', 'none'].includes(v)) return [];
  if (['true', '1', 'yes'].includes(v)) {
    ctx.addIssue({
      code: 'custom',
      message:
        '"true" is no longer accepted: it trusted X-Forwarded-For from anyone, so any client could choose its own IP (escaping rate limits, forging the audit log). List the addresses or CIDRs of your reverse proxies instead, e.g. "127.0.0.1,::1", "172.18.0.0/16", or "loopback", "uniquelocal"',
    });
    return z.NEVER;
  }
  const entries = v.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !PROXY_RANGE_NAMES.has(e) && !isAddressOrCidr(e));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be "false" or a comma-separated list of IP addresses, CIDRs (10.0.0.0/8) or loopback, linklocal, uniquelocal; not ${bad.map((b) => `"${b}"`).join(', ')}`,
    });
    return z.NEVER;
  }
  return entries;
});

/** `HIVESYNC_REPO_ALLOWED_HOSTS`: comma-separated host names, IP addresses or CIDRs. */
const allowedHosts = z.string().transform((value, ctx) => {
  const entries = value
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  const hostName = /^(?=.{1,253}\.?$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;
  const bad = entries.filter((e) => !isAddressOrCidr(e) && !hostName.test(e));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a comma-separated list of host names, IP addresses or CIDRs (10.0.0.0/8); not ${bad.map((b) => `"${b}"`).join(', ')}`,
    });
    return z.NEVER;
  }
  return entries;
});

const EnvSchema = z
  .object({
    /** Address the HTTP server binds to. */
    HIVESYNC_HOST: z.string().min(1).default('127.0.0.1'),
    /** Port of the HTTP server (0 picks a free one). */
    HIVESYNC_PORT: int(0, 65535).default(8080),
    /** Directory for the embedded database, local object storage and the generated JWT secret. */
    HIVESYNC_DATA_DIR: z.string().min(1).default('./.hivesync'),
    /** What this process runs: the API and the workers (`all`), only the API, or only the workers. */
    HIVESYNC_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    /** PostgreSQL connection string; unset means the embedded PGlite database under the data directory. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must start with postgres:// or postgresql://' })
      .optional(),
    /** Maximum connections in the PostgreSQL pool of this process. */
    DATABASE_POOL_SIZE: int(1, 500).default(10),
    /** Redis connection string; unset means in-process rate limits, heartbeats in the database. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, { message: 'must start with redis:// or rediss://' })
      .optional(),
    /** HMAC secret for access tokens (at least 32 characters); generated once into the data directory when unset. */
    HIVESYNC_JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    /** Lifetime of an access token, in seconds. */
    HIVESYNC_ACCESS_TOKEN_TTL_SECONDS: int(60, 86_400).default(900),
    /** Lifetime of a refresh token (only issued with `remember`), in days. */
    HIVESYNC_REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
    /** Login attempts allowed per client IP per minute. */
    HIVESYNC_LOGIN_LIMIT_PER_IP: int(1, 100_000).default(20),
    /** Failed logins allowed per account from one client IP before each further one is delayed. */
    HIVESYNC_LOGIN_LIMIT_PER_ACCOUNT: int(1, 100_000).default(10),
    /** First delay after those failures, in seconds; it doubles with each further failure (at most an hour). */
    HIVESYNC_LOGIN_BACKOFF_SECONDS: int(1, 3600).default(30),
    /** Failed logins per account per hour from all IPs together, past which the account refuses logins for the hour. */
    HIVESYNC_LOGIN_LIMIT_PER_ACCOUNT_PER_HOUR: int(1, 1_000_000).default(100),
    /** Registrations allowed per client IP per hour. */
    HIVESYNC_REGISTER_LIMIT_PER_IP: int(1, 100_000).default(20),
    /** Registrations refused for a taken email allowed per client IP per day (slows down finding who has an account). */
    HIVESYNC_REGISTER_CONFLICTS_PER_IP: int(1, 100_000).default(5),
    /** Largest accepted JSON request body, in bytes. */
    HIVESYNC_BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
    /** Reverse proxies (addresses, CIDRs, `loopback`, `uniquelocal`) whose X-Forwarded-For is believed; none by default. */
    HIVESYNC_TRUST_PROXY: trustedProxies.default([]),
    /** pino log level. */
    HIVESYNC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** How often a worker reports it is alive, in milliseconds. */
    HIVESYNC_HEARTBEAT_INTERVAL_MS: int(100, 600_000).default(10_000),
    /** How often workers look for new jobs when idle, in milliseconds (pg-boss minimum 500). */
    HIVESYNC_JOB_POLL_INTERVAL_MS: int(500, 60_000).default(1000),
    /** How often the queue's maintenance (timeouts, archiving) runs, in seconds. */
    HIVESYNC_QUEUE_MAINTENANCE_SECONDS: int(1, 3600).default(60),
    /** First retry delay for failed jobs, in seconds (doubles each attempt). */
    HIVESYNC_JOB_RETRY_DELAY_SECONDS: int(0, 3600).default(5),
    /** How long shutdown waits for running jobs before handing them back to the queue, in milliseconds. */
    HIVESYNC_SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(30_000),
    /** Prefix of every Redis key and channel, so several installations can share one Redis. */
    HIVESYNC_REDIS_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/)
      .default('hivesync:'),
    /** Key for credentials at rest: 32 bytes as 64 hex characters or base64; generated into the data dir when unset. */
    HIVESYNC_SECRETS_KEY: z.string().optional(),
    /**
     * Accept repository URLs that are local paths or file:// (a user could read the server's own disk). Default: on
     * for an embedded server bound to loopback (one person's machine), off otherwise.
     */
    HIVESYNC_ALLOW_LOCAL_REPOS: bool.optional(),
    /** Accept plain http:// repository URLs (off: credentials would travel unencrypted). */
    HIVESYNC_ALLOW_HTTP_REPOS: bool.default(false),
    /**
     * Let repositories be fetched from loopback, private, link-local and other internal addresses. Default: on for
     * an embedded server bound to loopback (one person's machine), off otherwise.
     */
    HIVESYNC_ALLOW_PRIVATE_REMOTES: bool.optional(),
    /** Hosts that repositories may be fetched from even though internal: host names, IP addresses or CIDRs. */
    HIVESYNC_REPO_ALLOWED_HOSTS: allowedHosts.default([]),
    /** Memory kept for search answers at a commit (and as much again for manifests), in bytes. */
    HIVESYNC_SEARCH_CACHE_BYTES: int(64 * 1024, 16 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
    /** Largest search answer, in bytes: a broad query stops there and says `truncated`. */
    HIVESYNC_SEARCH_MAX_RESPONSE_BYTES: int(16 * 1024, 256 * 1024 * 1024).default(2 * 1024 * 1024),
    /** Synced commits per project kept in the search index (older ones are dropped, their blobs collected). */
    HIVESYNC_SEARCH_KEEP_COMMITS: int(1, 10_000).default(20),
    /** Longest one search page may take, in milliseconds; then it answers what it has with `timed_out: true`. */
    HIVESYNC_SEARCH_TIME_BUDGET_MS: int(50, 600_000).default(5000),
    /** Memory for pages of the search index files (posting lists, tables), shared by every project, in bytes. */
    HIVESYNC_SEARCH_PAGE_CACHE_BYTES: int(1024 * 1024, 16 * 1024 * 1024 * 1024).default(16 * 1024 * 1024),
    /** Threads reading files for large searches beside the request's own (scans, counts); 0: the request's alone. */
    HIVESYNC_SEARCH_THREADS: int(0, 64).default(Math.max(1, Math.min(4, os.availableParallelism() - 1))),
    /** SSH host-key checking for repositories: yes (strict), accept-new, or no. Default: accept-new embedded, yes otherwise. */
    HIVESYNC_SSH_HOST_KEY_CHECKING: z.enum(['yes', 'accept-new', 'no']).optional(),
    /** Longest a single git operation of a sync may take, in seconds. */
    HIVESYNC_GIT_TIMEOUT_SECONDS: int(5, 24 * 3600).default(600),
    /** Retries of a sync that failed on the network (after one immediate retry). */
    HIVESYNC_SYNC_RETRY_LIMIT: int(0, 20).default(4),
    /** Delay before the first queued retry of a sync, in seconds; doubles after each. */
    HIVESYNC_SYNC_RETRY_DELAY_SECONDS: int(0, 3600).default(30),
    /** Largest file /repo/file serves, in bytes (413 above). */
    HIVESYNC_MAX_FILE_BYTES: int(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
    /** Largest patch text of one file in a diff answer, in bytes: a longer one is cut and says `truncated`. */
    HIVESYNC_DIFF_MAX_FILE_BYTES: int(1024, 64 * 1024 * 1024).default(256 * 1024),
    /** Largest patch text of a whole diff answer, in bytes: files past it come without hunks. */
    HIVESYNC_DIFF_MAX_BYTES: int(16 * 1024, 256 * 1024 * 1024).default(4 * 1024 * 1024),
    /** Most files a diff answer lists; the others are counted in `total_files` only. */
    HIVESYNC_DIFF_MAX_FILES: int(1, 100_000).default(1000),
    /** How often workers look for projects due a scheduled sync, in seconds. */
    HIVESYNC_SCHEDULER_INTERVAL_SECONDS: int(1, 3600).default(60),
    /** The URL clients reach this server at (for presigned local-storage URLs); defaults to the listening address. */
    HIVESYNC_PUBLIC_URL: z
      .string()
      .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, { message: 'must be an http:// or https:// URL without query' })
      .optional(),
    /** S3-compatible endpoint (MinIO, R2, Linode); unset with S3_BUCKET set means AWS S3. */
    S3_ENDPOINT: z.url().optional(),
    /** S3 region. */
    S3_REGION: z.string().default('us-east-1'),
    /** S3 bucket for bundles and artifacts; setting it switches object storage from local files to S3. */
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a valid bucket name' })
      .optional(),
    /** S3 access key id. */
    S3_ACCESS_KEY_ID: z.string().optional(),
    /** S3 secret access key. */
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    /** S3 bucket for artifacts (server-side build sources, AI patches); default `<S3_BUCKET>-artifacts`. */
    S3_ARTIFACTS_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a valid bucket name' })
      .optional(),
    /** S3 bucket for AI jobs' prompts and raw outputs; default `<S3_BUCKET>-ai-logs`. */
    S3_AI_LOGS_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a valid bucket name' })
      .optional(),
    /** Path-style S3 URLs (MinIO and most self-hosted stores need it). */
    S3_FORCE_PATH_STYLE: bool.default(false),
    /** How long a preview's code and token live, in minutes. */
    HIVESYNC_PREVIEW_TTL_MINUTES: int(1, 7 * 24 * 60).default(15),
    /** Largest preview bundle accepted, in bytes (413 above). */
    HIVESYNC_PREVIEW_MAX_BUNDLE_BYTES: int(1024, 2 * 1024 * 1024 * 1024).default(50 * 1024 * 1024),
    /** How long an expired preview's bundle is kept before the cleanup worker deletes it, in minutes. */
    HIVESYNC_PREVIEW_GRACE_MINUTES: int(0, 30 * 24 * 60).default(60),
    /** How often workers expire previews and delete old bundles, in seconds. */
    HIVESYNC_PREVIEW_CLEANUP_INTERVAL_SECONDS: int(1, 3600).default(60),
    /**
     * Uploads not completed this many minutes after they were written are deleted by the preview cleanup (fractions
     * allowed: 0.5 is 30 s); keep it above the time clients take between uploading and `complete`.
     */
    HIVESYNC_PREVIEW_UPLOAD_SWEEP_MINUTES: z.coerce
      .number()
      .positive()
      .max(30 * 24 * 60)
      .default(60),
    /** Preview resolutions (code or token) allowed per client IP per minute. */
    HIVESYNC_RESOLVE_LIMIT_PER_IP: int(1, 100_000).default(30),
    /** Searches one user may run per minute. */
    HIVESYNC_LIMIT_SEARCH_PER_MINUTE: int(1, 1_000_000).default(120),
    /** Syncs one user may request per minute. */
    HIVESYNC_LIMIT_SYNCS_PER_MINUTE: int(1, 1_000_000).default(10),
    /** AI jobs one user may start per minute. */
    HIVESYNC_LIMIT_AI_JOBS_PER_MINUTE: int(1, 1_000_000).default(30),
    /** Previews one user may create per minute. */
    HIVESYNC_LIMIT_PREVIEWS_PER_MINUTE: int(1, 1_000_000).default(30),
    /** Threads and comments one user may write per minute. */
    HIVESYNC_LIMIT_COMMENTS_PER_MINUTE: int(1, 1_000_000).default(60),
    /** Shared secret of sandboxed build workers (at least 32 characters); their callbacks are refused without it. */
    WORKER_SHARED_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    /**
     * How job code that touches user content (server-side preview builds) is isolated: `auto` (bubblewrap, else
     * unshare; a worker where neither works refuses such jobs), `bwrap`, `unshare`, or `off` (no isolation; logged
     * as an error at every start).
     */
    HIVESYNC_SANDBOX: z.enum(['auto', 'bwrap', 'unshare', 'off']).default('auto'),
    /** CPU seconds one sandboxed process may use. */
    HIVESYNC_SANDBOX_CPU_SECONDS: int(1, 3600).default(60),
    /** Address space of one sandboxed process, in MiB (Node.js needs about 1,000 to start). */
    HIVESYNC_SANDBOX_MEMORY_MB: int(1024, 65_536).default(2048),
    /** Processes and threads a sandboxed job may run at once. */
    HIVESYNC_SANDBOX_MAX_PROCESSES: int(16, 4096).default(256),
    /** Largest output (stdout, and each file written) of a sandboxed job, in MiB. */
    HIVESYNC_SANDBOX_OUTPUT_MB: int(1, 4096).default(64),
    /** How long a server-side preview build may take, in seconds (then it fails with build_timeout; fractions allowed). */
    HIVESYNC_BUILD_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(120),
    /** Most files in one server-side preview build (413 above). */
    HIVESYNC_BUILD_MAX_FILES: int(1, 1_000_000).default(5000),
    /** Most bytes of source in one server-side preview build (413 above). */
    HIVESYNC_BUILD_MAX_BYTES: int(1024, 2 * 1024 * 1024 * 1024).default(100 * 1024 * 1024),
    /** Whether this installation builds previews on the server (`hivesync preview` then builds remotely). */
    HIVESYNC_BUILDS: bool.default(true),
    /**
     * The worker pools this process serves, optionally with a concurrency each: `cpu,gpu` (the default: every pool)
     * or `cpu:4,gpu:1`. `hivesync-server worker --pools …` sets it.
     */
    HIVESYNC_WORKER_POOLS: z
      .string()
      .default('cpu,gpu')
      .transform((value, ctx) => {
        const pools = parsePools(value);
        if (typeof pools === 'string') {
          ctx.addIssue({ code: 'custom', message: pools });
          return z.NEVER;
        }
        return [...pools].map(([pool, concurrency]) => ({ pool, concurrency }));
      }),
    /** How long a `free` project's job may wait before it is taken in turn with `pro` ones (the starvation guard). */
    HIVESYNC_STARVATION_SECONDS: z.coerce.number().positive().max(86_400).default(60),
    /** Port on which a worker-only process serves /metrics (API processes serve it on their own port). */
    HIVESYNC_METRICS_PORT: int(1, 65535).optional(),
    /** Interval of the heartbeat comment on event streams, in milliseconds. */
    HIVESYNC_SSE_HEARTBEAT_MS: int(100, 600_000).default(15_000),
    /** Read notifications older than this many days are deleted by the workers' retention job. */
    HIVESYNC_NOTIFICATION_RETENTION_DAYS: int(1, 36_500).default(90),
    /** Event streams one user may hold open on one API instance; opening one more closes their oldest. */
    HIVESYNC_MAX_STREAMS_PER_USER: int(1, 10_000).default(20),
    /** Base URL of Expo's push API (`/send` and `/getReceipts` are appended); point it elsewhere only for a relay or a test. */
    HIVESYNC_EXPO_PUSH_URL: z.url({ protocol: /^https?$/ }).default('https://exp.host/--/api/v2/push'),
    /** Expo access token, when the Expo project requires one for push ("enhanced security"); never logged. */
    HIVESYNC_EXPO_ACCESS_TOKEN: z.string().min(1).optional(),
    /** VAPID public key for Web Push (base64url, from `npx web-push generate-vapid-keys`); generated when unset. */
    HIVESYNC_VAPID_PUBLIC_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{87}$/, { message: 'must be a VAPID public key: 87 base64url characters' })
      .optional(),
    /** VAPID private key (base64url, 43 characters); never logged or returned. */
    HIVESYNC_VAPID_PRIVATE_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, { message: 'must be a VAPID private key: 43 base64url characters' })
      .optional(),
    /** Who push services contact about this server's pushes: a mailto: or https: URL. */
    HIVESYNC_VAPID_SUBJECT: z
      .string()
      .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/[^\s/]+.*)$/, { message: 'must be a mailto: or https: URL' })
      .default('mailto:hivesync@localhost'),
    /**
     * Hosts Web Push endpoints may be on (`*.` allows subdomains); `*` alone allows any public host. Every endpoint is
     * also kept off internal addresses, whatever this says.
     */
    HIVESYNC_WEBPUSH_ALLOWED_HOSTS: z
      .string()
      .default('fcm.googleapis.com,updates.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com')
      .transform((v, ctx) => {
        const hosts = v
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter((h) => h !== '');
        const bad = hosts.filter((h) => h !== '*' && !/^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(h));
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `must be host names (optionally *.host), or *; not ${bad.join(', ')}`,
          });
          return z.NEVER;
        }
        return hosts;
      }),
    /**
     * Origins of push services the operator runs or trusts (a relay inside the network, a test's fake): endpoints
     * there skip the internal-address check and may be http. Exact origins, such as `http://127.0.0.1:9100`.
     */
    HIVESYNC_WEBPUSH_TRUSTED_ORIGINS: z
      .string()
      .default('')
      .transform((v, ctx) => {
        const origins = v
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o !== '');
        const bad = origins.filter((o) => {
          try {
            const u = new URL(o);
            return u.origin !== o || !['http:', 'https:'].includes(u.protocol);
          } catch {
            return true;
          }
        });
        if (bad.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `must be origins such as https://push.example.com; not ${bad.join(', ')}`,
          });
          return z.NEVER;
        }
        return origins;
      }),
    /** Retries of a push delivery that failed on the network or the provider (with a doubling delay). */
    HIVESYNC_PUSH_RETRY_LIMIT: int(0, 20).default(5),
    /** How long one request to a push provider may take, in milliseconds. */
    HIVESYNC_PUSH_TIMEOUT_MS: int(100, 120_000).default(10_000),
    /** How long after a push to Expo its receipt is fetched, in seconds (Expo advises about 15 minutes). */
    HIVESYNC_PUSH_RECEIPT_DELAY_SECONDS: int(0, 86_400).default(900),
    /** How often workers fetch Expo receipts that are due, in seconds. */
    HIVESYNC_PUSH_RECEIPT_INTERVAL_SECONDS: int(1, 86_400).default(60),
    /** Who writes AI text: `local` (offline, deterministic; the default) or `openai` (any OpenAI-compatible API). */
    HIVESYNC_AI_PROVIDER: z.enum(['local', 'openai']).default('local'),
    /** Base URL of the OpenAI-compatible API (OpenAI, DeepSeek, Ollama, vLLM, LM Studio). */
    OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
    /** API key of that service (never logged or returned). */
    OPENAI_API_KEY: z.string().optional(),
    /** The model to ask. */
    HIVESYNC_AI_MODEL: z.string().default('gpt-4o-mini'),
    /** How long one model request may take, in milliseconds. */
    HIVESYNC_AI_TIMEOUT_MS: int(1000, 600_000).default(60_000),
    /** Days an AI job's log (prompt/context, raw model output) is kept in the `ai-logs` bucket. */
    HIVESYNC_AI_LOG_RETENTION_DAYS: int(1, 36_500).default(30),
    /** Version reported by /health (defaults to the package version). */
    HIVESYNC_VERSION: z.string().optional(),
    /** Free space under the data directory below which /health/deep reports the disk as failing, in MiB. */
    HIVESYNC_MIN_FREE_DISK_MB: int(0, 10_000_000).default(256),
    /** Below this share of the data directory's disk free (percent), admins get a resource_limit_warning. */
    HIVESYNC_DISK_WARNING_FREE_PERCENT: int(0, 100).default(10),
    /** Above this many waiting jobs in one queue, admins get a resource_limit_warning. */
    HIVESYNC_QUEUE_DEPTH_WARNING: int(0, 10_000_000).default(1000),
    /** How often workers look at the system's health, disk and queues, in seconds. */
    HIVESYNC_SYSTEM_WATCH_INTERVAL_SECONDS: int(5, 86_400).default(60),
    /** How often the deep health is sampled for the admin API's health history, in seconds. */
    HIVESYNC_HEALTH_SAMPLE_SECONDS: int(1, 3600).default(60),
    /** How often the autoscaling rules are evaluated (by one process of the installation), in seconds. */
    HIVESYNC_AUTOSCALE_INTERVAL_SECONDS: int(1, 3600).default(15),
    /** Where scaling decisions go: `log` (recorded only), `exec` (a command) or `kubernetes` (a Deployment). */
    HIVESYNC_AUTOSCALE_TARGET: z.enum(['log', 'exec', 'kubernetes']).default('log'),
    /** The `exec` target's command and leading arguments, split on spaces (no shell); pool and count are appended. */
    HIVESYNC_AUTOSCALE_EXEC: z.string().trim().min(1).optional(),
    /** How long one scaling call (command or Kubernetes request) may take, in seconds. */
    HIVESYNC_AUTOSCALE_TIMEOUT_SECONDS: int(1, 600).default(30),
    /** The Kubernetes API's URL (the in-cluster default). */
    HIVESYNC_K8S_API_URL: z.url().default('https://kubernetes.default.svc'),
    /** The namespace of the worker Deployments. */
    HIVESYNC_K8S_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
      .default('default'),
    /** Each pool's Deployment: `pool=deployment` pairs separated by commas (`default=hivesync-worker`). */
    HIVESYNC_K8S_DEPLOYMENTS: z
      .string()
      .regex(/^\s*[a-z0-9][a-z0-9_-]*=[a-z0-9][-a-z0-9.]*\s*(,\s*[a-z0-9][a-z0-9_-]*=[a-z0-9][-a-z0-9.]*\s*)*$/, {
        message: 'must be pool=deployment pairs separated by commas, e.g. "default=hivesync-worker,gpu=hivesync-gpu"',
      })
      .optional(),
    /** The service account token the Kubernetes target sends (read at each call: Kubernetes rotates it). */
    HIVESYNC_K8S_TOKEN_FILE: z.string().default('/var/run/secrets/kubernetes.io/serviceaccount/token'),
    /** The CA bundle that signs the Kubernetes API's certificate (the in-cluster one when unset and it exists). */
    HIVESYNC_K8S_CA_FILE: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.HIVESYNC_AUTOSCALE_TARGET === 'exec' && !env.HIVESYNC_AUTOSCALE_EXEC) {
      ctx.addIssue({
        code: 'custom',
        path: ['HIVESYNC_AUTOSCALE_EXEC'],
        message: 'must be set when HIVESYNC_AUTOSCALE_TARGET is "exec": the command that scales a pool',
      });
    }
    if (env.HIVESYNC_AUTOSCALE_TARGET === 'kubernetes' && !env.HIVESYNC_K8S_DEPLOYMENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HIVESYNC_K8S_DEPLOYMENTS'],
        message: 'must be set when HIVESYNC_AUTOSCALE_TARGET is "kubernetes": which Deployment runs each pool',
      });
    }
    if (!env.HIVESYNC_VAPID_PUBLIC_KEY !== !env.HIVESYNC_VAPID_PRIVATE_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: [env.HIVESYNC_VAPID_PUBLIC_KEY ? 'HIVESYNC_VAPID_PRIVATE_KEY' : 'HIVESYNC_VAPID_PUBLIC_KEY'],
        message: 'set both VAPID keys (npx web-push generate-vapid-keys) or neither',
      });
    }
    if (env.HIVESYNC_ROLE === 'api' && !env.HIVESYNC_JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['HIVESYNC_JWT_SECRET'],
        message: 'must be set when HIVESYNC_ROLE is "api": every API instance has to sign tokens with the same secret',
      });
    }
    if (env.S3_BUCKET && (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'],
        message: 'must be set when S3_BUCKET is set',
      });
    }
    if (env.HIVESYNC_SECRETS_KEY && !/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/.test(env.HIVESYNC_SECRETS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['HIVESYNC_SECRETS_KEY'],
        message: 'must be 32 bytes written as 64 hex characters or 44 base64 characters (openssl rand -base64 32)',
      });
    }
    if (env.HIVESYNC_ROLE !== 'all' && !env.HIVESYNC_SECRETS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['HIVESYNC_SECRETS_KEY'],
        message: `must be set when HIVESYNC_ROLE is "${env.HIVESYNC_ROLE}": API and worker processes must share the key that encrypts repository credentials`,
      });
    }
    if (env.HIVESYNC_ROLE !== 'all' && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['HIVESYNC_ROLE'],
        message: `"${env.HIVESYNC_ROLE}" needs DATABASE_URL: separate API and worker processes share one PostgreSQL (the embedded database serves one process)`,
      });
    }
  });

/** The validated, typed, frozen configuration of one process. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly role: 'all' | 'api' | 'worker';
  readonly version: string;
  readonly logLevel: string;
  /** Addresses, CIDRs or range names of trusted reverse proxies; empty trusts no X-Forwarded-For. */
  readonly trustProxy: readonly string[];
  readonly bodyLimit: number;
  readonly database: { readonly url: string | undefined; readonly poolSize: number };
  readonly redis: { readonly url: string | undefined; readonly prefix: string };
  readonly auth: {
    readonly jwtSecret: string | undefined;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlDays: number;
    readonly loginPerIpPerMinute: number;
    readonly loginFailuresPerAccount: number;
    readonly loginBackoffSeconds: number;
    readonly loginFailuresPerAccountPerHour: number;
    readonly registerPerIpPerHour: number;
    readonly registerConflictsPerIpPerDay: number;
  };
  readonly jobs: {
    readonly heartbeatIntervalMs: number;
    readonly pollIntervalMs: number;
    readonly maintenanceSeconds: number;
    readonly retryDelaySeconds: number;
    readonly shutdownTimeoutMs: number;
  };
  /** The operations API's timed work and its scaling target (issue #15). */
  readonly admin: {
    readonly healthSampleIntervalMs: number;
    readonly autoscaleIntervalMs: number;
    readonly target:
      | { readonly kind: 'log' }
      | {
          readonly kind: 'exec';
          readonly command: string;
          readonly args: readonly string[];
          readonly timeoutMs: number;
          /** PATH for the command: the only variable it gets (the server's secrets stay in the server). */
          readonly path: string;
        }
      | {
          readonly kind: 'kubernetes';
          readonly apiUrl: string;
          readonly namespace: string;
          readonly deployments: Readonly<Record<string, string>>;
          readonly tokenFile: string;
          readonly caFile: string | undefined;
          readonly timeoutMs: number;
        };
  };
  readonly health: {
    readonly minFreeDiskMb: number;
    readonly diskWarningFreePercent: number;
    readonly queueDepthWarning: number;
    readonly watchIntervalMs: number;
  };
  readonly secretsKey: string | undefined;
  readonly publicUrl: string | undefined;
  readonly sseHeartbeatMs: number;
  /** Read notifications older than this many days are deleted (unread ones are kept). */
  readonly notificationRetentionDays: number;
  readonly maxStreamsPerUser: number;
  readonly metricsPort: number | undefined;
  readonly ai: {
    readonly provider: 'local' | 'openai';
    readonly baseUrl: string;
    readonly apiKey: string | undefined;
    readonly model: string;
    readonly timeoutMs: number;
    /** Days AI job logs are kept in the `ai-logs` bucket before the workers delete them. */
    readonly logRetentionDays: number;
  };
  /** Push notifications to devices (issue #20): Expo for the mobile app, Web Push for browsers. */
  readonly push: {
    readonly expoUrl: string;
    readonly expoAccessToken: string | undefined;
    /** Unset keys are generated into the data directory when this process is the whole installation (`all`). */
    readonly vapid: {
      readonly publicKey: string | undefined;
      readonly privateKey: string | undefined;
      readonly subject: string;
    };
    readonly webpushAllowedHosts: readonly string[];
    readonly webpushTrustedOrigins: readonly string[];
    readonly retryLimit: number;
    readonly timeoutMs: number;
    readonly receiptDelayMs: number;
    readonly receiptIntervalMs: number;
  };
  /** Requests per user per minute, by what they spend (see LimitsService). */
  readonly userLimits: {
    readonly search: number;
    readonly syncs: number;
    readonly aiJobs: number;
    readonly previews: number;
    readonly comments: number;
  };
  readonly previews: {
    readonly ttlMinutes: number;
    readonly maxBundleBytes: number;
    readonly graceMinutes: number;
    readonly cleanupIntervalMs: number;
    readonly uploadSweepMinutes: number;
    readonly resolvePerIpPerMinute: number;
    readonly workerSharedSecret: string | undefined;
  };
  /** Isolation and limits of sandboxed job code. */
  readonly sandbox: {
    readonly mode: 'auto' | 'bwrap' | 'unshare' | 'off';
    readonly cpuSeconds: number;
    readonly memoryBytes: number;
    readonly maxProcesses: number;
    readonly maxOutputBytes: number;
  };
  /** The pools this worker serves (concurrency undefined: each queue's own) and the starvation guard's window. */
  readonly pools: {
    readonly serve: readonly { readonly pool: Pool; readonly concurrency: number | undefined }[];
    readonly starvationSeconds: number;
  };
  /** Server-side preview builds. */
  readonly builds: {
    readonly enabled: boolean;
    readonly timeoutMs: number;
    readonly maxFiles: number;
    readonly maxBytes: number;
  };
  /** S3 settings when object storage is S3; undefined means local files under the data directory. */
  readonly s3:
    | {
        readonly endpoint: string | undefined;
        readonly region: string;
        readonly bucket: string;
        readonly artifactsBucket: string;
        readonly aiLogsBucket: string;
        readonly accessKeyId: string;
        readonly secretAccessKey: string;
        readonly forcePathStyle: boolean;
      }
    | undefined;
  /** PATH for the programs the server runs (git, ssh); nothing else of the environment is passed to them. */
  readonly systemPath: string;
  readonly repos: {
    readonly allowLocal: boolean;
    readonly allowHttp: boolean;
    /** Syncs may reach loopback, private and other internal addresses (else only HIVESYNC_REPO_ALLOWED_HOSTS). */
    readonly allowPrivateNetworks: boolean;
    /** Host names, IP addresses and CIDRs allowed as remotes although internal. */
    readonly allowedHosts: readonly string[];
    readonly searchCacheBytes: number;
    readonly searchMaxResponseBytes: number;
    /** Synced commits per project kept in the search index. */
    readonly searchKeepCommits: number;
    /** Longest one search page may take, in milliseconds. */
    readonly searchTimeBudgetMs: number;
    /** Bytes of search index pages kept in memory, for all projects together. */
    readonly searchPageCacheBytes: number;
    /** Threads reading files for large searches (0: none, the request's thread reads them). */
    readonly searchThreads: number;
    readonly sshHostKeyChecking: 'yes' | 'accept-new' | 'no';
    readonly gitTimeoutMs: number;
    readonly syncRetryLimit: number;
    readonly syncRetryDelaySeconds: number;
    readonly maxFileBytes: number;
    /** Caps of a diff answer: patch bytes per file and in all, and files listed. */
    readonly diffMaxFileBytes: number;
    readonly diffMaxBytes: number;
    readonly diffMaxFiles: number;
    readonly schedulerIntervalMs: number;
  };
}

/** Raised when the environment is invalid; `problems` holds one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const PACKAGE_VERSION = '0.1.0';

/**
 * Parses and validates the environment (process.env unless `env` is given) with `overrides` on top into a Config,
 * or throws ConfigError listing every problem.
 */
export function loadConfig(
  overrides: Record<string, string | undefined> = {},
  env: Record<string, string | undefined> = process.env,
): Config {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const merged = { ...env, ...overrides };
  const cleaned = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0] ?? 'environment');
        const given = cleaned[name];
        const shown =
          given === undefined || /SECRET|PASSWORD|KEY|TOKEN|_URL$|_ID$/.test(name) ? '' : ` (got "${given}")`;
        return `${name}: ${i.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  return Object.freeze({
    host: e.HIVESYNC_HOST,
    port: e.HIVESYNC_PORT,
    dataDir: path.resolve(e.HIVESYNC_DATA_DIR),
    role: e.HIVESYNC_ROLE,
    version: e.HIVESYNC_VERSION ?? PACKAGE_VERSION,
    logLevel: e.HIVESYNC_LOG_LEVEL,
    trustProxy: e.HIVESYNC_TRUST_PROXY,
    bodyLimit: e.HIVESYNC_BODY_LIMIT_BYTES,
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    redis: { url: e.REDIS_URL, prefix: e.HIVESYNC_REDIS_PREFIX },
    auth: {
      jwtSecret: e.HIVESYNC_JWT_SECRET,
      accessTokenTtlSeconds: e.HIVESYNC_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: e.HIVESYNC_REFRESH_TOKEN_TTL_DAYS,
      loginPerIpPerMinute: e.HIVESYNC_LOGIN_LIMIT_PER_IP,
      loginFailuresPerAccount: e.HIVESYNC_LOGIN_LIMIT_PER_ACCOUNT,
      loginBackoffSeconds: e.HIVESYNC_LOGIN_BACKOFF_SECONDS,
      loginFailuresPerAccountPerHour: e.HIVESYNC_LOGIN_LIMIT_PER_ACCOUNT_PER_HOUR,
      registerPerIpPerHour: e.HIVESYNC_REGISTER_LIMIT_PER_IP,
      registerConflictsPerIpPerDay: e.HIVESYNC_REGISTER_CONFLICTS_PER_IP,
    },
    jobs: {
      heartbeatIntervalMs: e.HIVESYNC_HEARTBEAT_INTERVAL_MS,
      pollIntervalMs: e.HIVESYNC_JOB_POLL_INTERVAL_MS,
      maintenanceSeconds: e.HIVESYNC_QUEUE_MAINTENANCE_SECONDS,
      retryDelaySeconds: e.HIVESYNC_JOB_RETRY_DELAY_SECONDS,
      shutdownTimeoutMs: e.HIVESYNC_SHUTDOWN_TIMEOUT_MS,
    },
    health: {
      minFreeDiskMb: e.HIVESYNC_MIN_FREE_DISK_MB,
      diskWarningFreePercent: e.HIVESYNC_DISK_WARNING_FREE_PERCENT,
      queueDepthWarning: e.HIVESYNC_QUEUE_DEPTH_WARNING,
      watchIntervalMs: e.HIVESYNC_SYSTEM_WATCH_INTERVAL_SECONDS * 1000,
    },
    admin: {
      healthSampleIntervalMs: e.HIVESYNC_HEALTH_SAMPLE_SECONDS * 1000,
      autoscaleIntervalMs: e.HIVESYNC_AUTOSCALE_INTERVAL_SECONDS * 1000,
      target: scalingTarget(e, merged.PATH ?? '/usr/local/bin:/usr/bin:/bin'),
    },
    secretsKey: e.HIVESYNC_SECRETS_KEY,
    publicUrl: e.HIVESYNC_PUBLIC_URL?.replace(/\/+$/, ''),
    sseHeartbeatMs: e.HIVESYNC_SSE_HEARTBEAT_MS,
    notificationRetentionDays: e.HIVESYNC_NOTIFICATION_RETENTION_DAYS,
    maxStreamsPerUser: e.HIVESYNC_MAX_STREAMS_PER_USER,
    metricsPort: e.HIVESYNC_METRICS_PORT,
    ai: {
      provider: e.HIVESYNC_AI_PROVIDER,
      baseUrl: e.OPENAI_BASE_URL.replace(/\/+$/, ''),
      apiKey: e.OPENAI_API_KEY,
      model: e.HIVESYNC_AI_MODEL,
      timeoutMs: e.HIVESYNC_AI_TIMEOUT_MS,
      logRetentionDays: e.HIVESYNC_AI_LOG_RETENTION_DAYS,
    },
    push: {
      expoUrl: e.HIVESYNC_EXPO_PUSH_URL.replace(/\/+$/, ''),
      expoAccessToken: e.HIVESYNC_EXPO_ACCESS_TOKEN,
      vapid: {
        publicKey: e.HIVESYNC_VAPID_PUBLIC_KEY,
        privateKey: e.HIVESYNC_VAPID_PRIVATE_KEY,
        subject: e.HIVESYNC_VAPID_SUBJECT,
      },
      webpushAllowedHosts: e.HIVESYNC_WEBPUSH_ALLOWED_HOSTS,
      webpushTrustedOrigins: e.HIVESYNC_WEBPUSH_TRUSTED_ORIGINS,
      retryLimit: e.HIVESYNC_PUSH_RETRY_LIMIT,
      timeoutMs: e.HIVESYNC_PUSH_TIMEOUT_MS,
      receiptDelayMs: e.HIVESYNC_PUSH_RECEIPT_DELAY_SECONDS * 1000,
      receiptIntervalMs: e.HIVESYNC_PUSH_RECEIPT_INTERVAL_SECONDS * 1000,
    },
    userLimits: {
      search: e.HIVESYNC_LIMIT_SEARCH_PER_MINUTE,
      syncs: e.HIVESYNC_LIMIT_SYNCS_PER_MINUTE,
      aiJobs: e.HIVESYNC_LIMIT_AI_JOBS_PER_MINUTE,
      previews: e.HIVESYNC_LIMIT_PREVIEWS_PER_MINUTE,
      comments: e.HIVESYNC_LIMIT_COMMENTS_PER_MINUTE,
    },
    previews: {
      ttlMinutes: e.HIVESYNC_PREVIEW_TTL_MINUTES,
      maxBundleBytes: e.HIVESYNC_PREVIEW_MAX_BUNDLE_BYTES,
      graceMinutes: e.HIVESYNC_PREVIEW_GRACE_MINUTES,
      cleanupIntervalMs: e.HIVESYNC_PREVIEW_CLEANUP_INTERVAL_SECONDS * 1000,
      uploadSweepMinutes: e.HIVESYNC_PREVIEW_UPLOAD_SWEEP_MINUTES,
      resolvePerIpPerMinute: e.HIVESYNC_RESOLVE_LIMIT_PER_IP,
      workerSharedSecret: e.WORKER_SHARED_SECRET,
    },
    sandbox: {
      mode: e.HIVESYNC_SANDBOX,
      cpuSeconds: e.HIVESYNC_SANDBOX_CPU_SECONDS,
      memoryBytes: e.HIVESYNC_SANDBOX_MEMORY_MB * 2 ** 20,
      maxProcesses: e.HIVESYNC_SANDBOX_MAX_PROCESSES,
      maxOutputBytes: e.HIVESYNC_SANDBOX_OUTPUT_MB * 2 ** 20,
    },
    pools: { serve: e.HIVESYNC_WORKER_POOLS, starvationSeconds: e.HIVESYNC_STARVATION_SECONDS },
    builds: {
      enabled: e.HIVESYNC_BUILDS,
      timeoutMs: Math.round(e.HIVESYNC_BUILD_TIMEOUT_SECONDS * 1000),
      maxFiles: e.HIVESYNC_BUILD_MAX_FILES,
      maxBytes: e.HIVESYNC_BUILD_MAX_BYTES,
    },
    s3: e.S3_BUCKET
      ? {
          endpoint: e.S3_ENDPOINT,
          region: e.S3_REGION,
          bucket: e.S3_BUCKET,
          artifactsBucket: e.S3_ARTIFACTS_BUCKET ?? `${e.S3_BUCKET.slice(0, 53)}-artifacts`,
          aiLogsBucket: e.S3_AI_LOGS_BUCKET ?? `${e.S3_BUCKET.slice(0, 55)}-ai-logs`,
          accessKeyId: e.S3_ACCESS_KEY_ID ?? '',
          secretAccessKey: e.S3_SECRET_ACCESS_KEY ?? '',
          forcePathStyle: e.S3_FORCE_PATH_STYLE,
        }
      : undefined,
    systemPath: merged.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    repos: {
      allowLocal: e.HIVESYNC_ALLOW_LOCAL_REPOS ?? (!e.DATABASE_URL && isLoopbackHost(e.HIVESYNC_HOST)),
      allowHttp: e.HIVESYNC_ALLOW_HTTP_REPOS,
      allowPrivateNetworks: e.HIVESYNC_ALLOW_PRIVATE_REMOTES ?? (!e.DATABASE_URL && isLoopbackHost(e.HIVESYNC_HOST)),
      allowedHosts: e.HIVESYNC_REPO_ALLOWED_HOSTS,
      searchCacheBytes: e.HIVESYNC_SEARCH_CACHE_BYTES,
      searchMaxResponseBytes: e.HIVESYNC_SEARCH_MAX_RESPONSE_BYTES,
      searchKeepCommits: e.HIVESYNC_SEARCH_KEEP_COMMITS,
      searchTimeBudgetMs: e.HIVESYNC_SEARCH_TIME_BUDGET_MS,
      searchPageCacheBytes: e.HIVESYNC_SEARCH_PAGE_CACHE_BYTES,
      searchThreads: e.HIVESYNC_SEARCH_THREADS,
      sshHostKeyChecking: e.HIVESYNC_SSH_HOST_KEY_CHECKING ?? (e.DATABASE_URL ? 'yes' : 'accept-new'),
      gitTimeoutMs: e.HIVESYNC_GIT_TIMEOUT_SECONDS * 1000,
      syncRetryLimit: e.HIVESYNC_SYNC_RETRY_LIMIT,
      syncRetryDelaySeconds: e.HIVESYNC_SYNC_RETRY_DELAY_SECONDS,
      maxFileBytes: e.HIVESYNC_MAX_FILE_BYTES,
      diffMaxFileBytes: e.HIVESYNC_DIFF_MAX_FILE_BYTES,
      diffMaxBytes: e.HIVESYNC_DIFF_MAX_BYTES,
      diffMaxFiles: e.HIVESYNC_DIFF_MAX_FILES,
      schedulerIntervalMs: e.HIVESYNC_SCHEDULER_INTERVAL_SECONDS * 1000,
    },
  });
}

/** Whether `entry` is an IPv4 or IPv6 address, optionally with a /prefix in range. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Whether a listen address reaches this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const IN_CLUSTER_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/** The autoscaling target the environment describes (validated by EnvSchema's refinements). */
function scalingTarget(e: z.output<typeof EnvSchema>, systemPath: string): Config['admin']['target'] {
  const timeoutMs = e.HIVESYNC_AUTOSCALE_TIMEOUT_SECONDS * 1000;
  if (e.HIVESYNC_AUTOSCALE_TARGET === 'exec') {
    const [command = '', ...args] = (e.HIVESYNC_AUTOSCALE_EXEC ?? '').split(/\s+/);
    return { kind: 'exec', command, args, timeoutMs, path: systemPath };
  }
  if (e.HIVESYNC_AUTOSCALE_TARGET === 'kubernetes') {
    const deployments = Object.fromEntries(
      (e.HIVESYNC_K8S_DEPLOYMENTS ?? '').split(',').map((pair) => pair.trim().split('=') as [string, string]),
    );
    return {
      kind: 'kubernetes',
      apiUrl: e.HIVESYNC_K8S_API_URL,
      namespace: e.HIVESYNC_K8S_NAMESPACE,
      deployments,
      tokenFile: e.HIVESYNC_K8S_TOKEN_FILE,
      caFile: e.HIVESYNC_K8S_CA_FILE ?? (fs.existsSync(IN_CLUSTER_CA) ? IN_CLUSTER_CA : undefined),
      timeoutMs,
    };
  }
  return { kind: 'log' };
}
