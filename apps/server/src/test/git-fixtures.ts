import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.test',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Runs git in `cwd` for a test fixture. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Writes files (path → content; null deletes) and commits them; returns the new commit. */
export function commitFiles(repo: string, files: Record<string, string | Buffer | null>, message = 'change'): string {
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(repo, file);
    if (content === null) {
      fs.rmSync(full, { force: true });
      continue;
    }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** A new repository on branch main with `files` committed; returns its path. */
export function makeRepo(dir: string, files: Record<string, string | Buffer>): string {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  commitFiles(dir, files, 'initial');
  return dir;
}

/** Adds a symlink and a submodule entry (a gitlink) to a repository and commits them. */
export function addLinkAndSubmodule(repo: string, linkTarget: string): string {
  fs.symlinkSync(linkTarget, path.join(repo, 'escape'));
  git(repo, 'add', 'escape');
  git(repo, 'update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},vendor/sub`);
  git(repo, 'commit', '-q', '-m', 'link and submodule');
  return git(repo, 'rev-parse', 'HEAD');
}

/** A git smart-HTTP server (git http-backend behind Node) that requires Basic auth; repositories under `root`. */
export interface GitHttpServer {
  url: string;
  /** Delays every request by this many ms (a slow remote). */
  delayMs: number;
  /** Answers every request with this status instead (a failing remote), when set. */
  failWith: number | undefined;
  /** Redirects every request (302) to this base URL plus the request's path, before asking for credentials. */
  redirectTo: string | undefined;
  requests: number;
  /** Every Authorization header received, in order. */
  authorizations: string[];
  close(): Promise<void>;
}

/** Starts a git smart-HTTP server over `root` on a free port of `host` (127.0.0.1 by default; any 127.x works). */
export async function startGitHttpServer(
  root: string,
  auth: { username: string; token: string },
  options: { host?: string } = {},
): Promise<GitHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const execPath = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.token}`).toString('base64')}`;
  const state: GitHttpServer = {
    url: '',
    delayMs: 0,
    failWith: undefined,
    redirectTo: undefined,
    requests: 0,
    authorizations: [],
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    state.requests++;
    if (req.headers.authorization) state.authorizations.push(req.headers.authorization);
    const handle = () => {
      if (state.failWith) {
        res.writeHead(state.failWith).end('unavailable');
        return;
      }
      if (state.redirectTo) {
        res.writeHead(302, { location: `${state.redirectTo}${req.url ?? '/'}` }).end();
        return;
      }
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('auth required');
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const cgi = spawn(path.join(execPath, 'git-http-backend'), [], {
        env: {
          PATH: process.env.PATH,
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: '1',
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.slice(1),
          REQUEST_METHOD: req.method,
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          REMOTE_USER: auth.username,
          REMOTE_ADDR: '127.0.0.1',
          HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
        },
      });
      req.pipe(cgi.stdin);
      let head = Buffer.alloc(0);
      let headersDone = false;
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (headersDone) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        headersDone = true;
        let status = 200;
        const headers: Record<string, string> = {};
        for (const line of head.subarray(0, end).toString().split('\r\n')) {
          const i = line.indexOf(':');
          const name = line.slice(0, i).trim();
          const value = line.slice(i + 1).trim();
          if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
          else headers[name] = value;
        }
        res.writeHead(status, headers);
        res.write(head.subarray(end + 4));
      });
      cgi.on('close', () => res.end());
    };
    if (state.delayMs > 0) setTimeout(handle, state.delayMs);
    else handle();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  state.url = `http://${host}:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/**
 * Damages object `oid` in a bare repository the way a failing disk would: a loose object is overwritten with
 * garbage, a packed one gets bytes flipped in the middle of its compressed data. Only for repositories that share
 * no files with another (cloned over HTTP, or with --no-local): local clones hard-link their packs.
 */
export function corruptObject(gitDir: string, oid: string): 'loose' | 'packed' {
  const loose = path.join(gitDir, 'objects', oid.slice(0, 2), oid.slice(2));
  if (fs.existsSync(loose)) {
    if (fs.statSync(loose).nlink > 1) throw new Error(`${loose} is hard-linked; refusing to corrupt it`);
    fs.chmodSync(loose, 0o644);
    fs.writeFileSync(loose, 'this is not a zlib stream');
    return 'loose';
  }
  const packDir = path.join(gitDir, 'objects', 'pack');
  for (const idx of fs.readdirSync(packDir).filter((f) => f.endsWith('.idx'))) {
    const offsets = execFileSync('git', ['show-index'], { input: fs.readFileSync(path.join(packDir, idx)) })
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [offset, id] = l.split(' ');
        return { offset: Number(offset), id: id! };
      })
      .sort((a, b) => a.offset - b.offset);
    const at = offsets.findIndex((o) => o.id === oid);
    if (at < 0) continue;
    const pack = path.join(packDir, idx.replace(/\.idx$/, '.pack'));
    if (fs.statSync(pack).nlink > 1) throw new Error(`${pack} is hard-linked; refusing to corrupt it`);
    const start = offsets[at]!.offset;
    const end = offsets[at + 1]?.offset ?? fs.statSync(pack).size - 20;
    // Past the entry's header and the zlib header: inside the deflate stream.
    const where = start + Math.max(6, Math.floor((end - start) / 2));
    fs.chmodSync(pack, 0o644);
    const fd = fs.openSync(pack, 'r+');
    try {
      fs.writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, Math.min(4, end - where), where);
    } finally {
      fs.closeSync(fd);
    }
    return 'packed';
  }
  throw new Error(`object ${oid} is not in ${gitDir}`);
}
