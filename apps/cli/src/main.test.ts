import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore } from './credentials.js';
import { runInProcess } from './test/run-in-process.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hivesync-cli-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process with captured output, a non-terminal stdin, and credentials in a temp dir. */
function cli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  return runInProcess(args, { configHome: dir, stdin: options.stdin, env: options.env });
}

describe('usage errors exit with code 2', () => {
  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['projects', 'list', '--bogus'], /unknown option '--bogus'/],
    [['projects', 'show'], /missing required argument 'id'/],
    [['projects', 'show', 'a', 'b'], /too many arguments/],
    [['members', 'add', 'p1', 'x@example.com', '--role', 'owner'], /Allowed choices are admin, member, viewer/],
    [['notifications', '--limit', '0'], /must be an integer from 1 to 200/],
    [['notifications', '--limit', 'many'], /must be an integer from 1 to 200/],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^hivesync: /);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('without a command, prints the help on stderr', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: hivesync');
  });

  it('refuses a --server that is not an http URL', async () => {
    const r = await cli(['--server', 'localhost:8080', 'whoami']);
    expect(r).toMatchObject({ code: 2, err: expect.stringContaining('--server must be an http or https URL') });
  });

  it('refuses --password with --password-stdin, and a login with nothing to read the email from', async () => {
    const both = await cli(['login', '--email', 'a@example.com', '--password', 'x', '--password-stdin']);
    const noEmail = await cli(['login']);
    expect(both).toMatchObject({ code: 2, err: 'hivesync: use --password or --password-stdin, not both\n' });
    expect(noEmail).toMatchObject({ code: 2, err: 'hivesync: --email is required when stdin is not a terminal\n' });
  });

  it('refuses to delete a project without --yes when stdin is not a terminal, naming the command that does', async () => {
    const r = await cli(['projects', 'delete', 'my app']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "hivesync: stdin is not a terminal, so there is no one to ask: to delete the project, run `hivesync projects delete 'my app' --yes`\n",
    );
    // The server is named when it is not the one the command would use anyway.
    const elsewhere = await cli(['projects', 'delete', 'p1', '--server', 'http://hive.example:9000/']);
    expect(elsewhere.err).toContain('run `hivesync projects delete p1 --server http://hive.example:9000 --yes`');
    const fromEnv = await cli(['projects', 'delete', 'p1'], { env: { HIVESYNC_SERVER: 'http://hive.example:9000' } });
    expect(fromEnv.err).toContain('run `hivesync projects delete p1 --yes`');
  });

  it('in --json mode, prints a usage_error envelope on stdout', async () => {
    const r = await cli(['projects', 'show', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'usage_error', message: "missing required argument 'id'" },
    });
  });
});

describe('other exits', () => {
  it('--help and --version exit 0 on stdout', async () => {
    const help = await cli(['projects', '--help']);
    const version = await cli(['--version']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: hivesync projects');
    expect(version).toMatchObject({ code: 0, out: '0.1.0\n' });
  });

  it('not logged in: exit 3, with --json taken after the subcommand too', async () => {
    const human = await cli(['projects', 'list', '--server', 'http://127.0.0.1:1']);
    const json = await cli(['projects', 'list', '--json']);
    expect(human).toMatchObject({
      code: 3,
      err: 'hivesync: not logged in to http://127.0.0.1:1: run `hivesync login`\n',
    });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: 'not_logged_in' } });
  });

  it('an unreachable server: exit 4 with a hint', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));

    const r = await cli(['status'], { env: { HIVESYNC_SERVER: url } });
    expect(r).toMatchObject({
      code: 4,
      err: `hivesync: cannot reach the server at ${url}: is it running? (npm start)\n`,
    });
  });

  it('logout when not logged in succeeds and says so', async () => {
    const r = await cli(['logout', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ server: 'http://127.0.0.1:8080', logged_out: false });
  });

  it('reads the password from stdin and stores the session for the --server given', async () => {
    let body: unknown;
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        body = JSON.parse(text);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            user: { id: 'u1', email: 'a@example.com', display_name: 'A', role: 'user' },
            access_token: 'access-1',
            token_type: 'Bearer',
            expires_in: 900,
            refresh_token: 'refresh-1',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await cli(['login', '--server', url, '--email', 'a@example.com', '--password-stdin', '--json'], {
        stdin: 'a secret password\n',
      });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual({
        server: url,
        user: { id: 'u1', email: 'a@example.com', display_name: 'A', role: 'user' },
      });
      expect(body).toEqual({ email: 'a@example.com', password: 'a secret password', remember: true });
      const stored = await new CredentialStore(path.join(dir, 'hivesync', 'credentials.json')).get(url);
      expect(stored).toMatchObject({
        access_token: 'access-1',
        refresh_token: 'refresh-1',
        email: 'a@example.com',
        user_id: 'u1',
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
