import type { Project } from '@hivesync/core';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  integerIn,
  parseDocTarget,
  parseFileRef,
  parseLineRange,
  parseSince,
  parseSyncInterval,
  syncIntervalMinutes,
} from './args.js';
import { credentialBody, type CredentialOptions } from './commands/repo.js';
import { branchLabel, updateBody } from './commands/projects.js';
import { isNobody, updateBody as taskUpdateBody } from './commands/tasks.js';
import { CliError } from './errors.js';
import { pickProject } from './project-ref.js';

describe('integerIn', () => {
  it('takes integers in range and refuses anything else', () => {
    const limit = integerIn(1, 10_000);
    expect(limit('1')).toBe(1);
    expect(limit('10000')).toBe(10_000);
    for (const bad of ['0', '10001', '-1', '1.5', '1e3', ' 5', 'ten', '']) {
      expect(() => limit(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});

describe('--sync-interval', () => {
  it('takes minutes from 5 to a week, or off', () => {
    expect(parseSyncInterval('5')).toBe(5);
    expect(parseSyncInterval('10080')).toBe(10_080);
    expect(parseSyncInterval('off')).toBe('off');
    expect(parseSyncInterval('OFF')).toBe('off');
    expect(syncIntervalMinutes('off')).toBeNull();
    expect(syncIntervalMinutes(60)).toBe(60);
    for (const bad of ['4', '10081', '1h', '']) expect(() => parseSyncInterval(bad), bad).toThrow(/or "off"/);
  });
});

describe('projects update', () => {
  it('sends only what was given; --no-repo-url clears the repository', () => {
    expect(updateBody({ name: 'x' })).toEqual({ name: 'x' });
    expect(updateBody({ repoUrl: false, syncInterval: 'off' })).toEqual({
      repo_url: null,
      sync_interval_minutes: null,
    });
    expect(updateBody({ repoUrl: 'https://example.test/r.git', branch: 'dev', syncInterval: 15 })).toEqual({
      repo_url: 'https://example.test/r.git',
      branch: 'dev',
      sync_interval_minutes: 15,
    });
  });

  it('refuses to change nothing', () => {
    expect(() => updateBody({})).toThrow(/nothing to change/);
  });

  it("--default-branch follows the remote's default branch again (branch: null)", () => {
    expect(updateBody({ defaultBranch: true })).toEqual({ branch: null });
    expect(() => updateBody({ branch: 'dev', defaultBranch: true })).toThrow(/either --branch or --default-branch/);
  });
});

describe('branchLabel', () => {
  it("says when the branch is the remote's default, and that it is unknown before the first sync", () => {
    const p = { branch: 'main', follows_default_branch: true, last_synced_at: null };
    expect(branchLabel(p)).toBe('remote default (found at the first sync)');
    expect(branchLabel({ ...p, branch: 'master', last_synced_at: '2026-12-01T00:00:00.000Z' })).toBe(
      'master (remote default)',
    );
    expect(branchLabel({ ...p, branch: 'dev', follows_default_branch: false })).toBe('dev');
  });
});

describe('pickProject', () => {
  const project = (id: string, name: string) => ({ id, name }) as Project;
  const projects = [project('p1', 'demo'), project('p2', 'twin'), project('p3', 'twin'), project('p4', 'p1')];

  it('takes an id first, then an exact name', () => {
    expect(pickProject(projects, 'p2')).toBe('p2');
    expect(pickProject(projects, 'demo')).toBe('p1');
    expect(pickProject(projects, 'p1')).toBe('p1'); // p4 is named "p1", but p1 is an id
    expect(pickProject(projects, 'Demo')).toBeUndefined();
    expect(pickProject(projects, 'nope')).toBeUndefined();
  });

  it('refuses a name several projects share, listing their ids (exit 2)', () => {
    let err: unknown;
    try {
      pickProject(projects, 'twin');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ exitCode: 2, code: 'usage_error', message: expect.stringContaining('p2, p3') });
  });
});

describe('credential set', () => {
  const files: Record<string, string> = {
    id_ed25519: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n',
    known_hosts: 'example.test ssh-ed25519 AAAA\n',
    'id_ed25519.pub': 'ssh-ed25519 AAAA me@host\n',
  };
  const read = (token = 'secret-token\n') => ({
    token: async () => token,
    file: async (p: string) => files[p] ?? Promise.reject(new Error(`no ${p}`)),
  });
  const body = (opts: CredentialOptions, token?: string) => credentialBody(opts, read(token));

  it('builds a token credential, with the user name when given', async () => {
    expect(await body({ tokenStdin: true })).toEqual({ type: 'https_token', token: 'secret-token' });
    expect(await body({ tokenStdin: true, username: 'bot' })).toEqual({
      type: 'https_token',
      token: 'secret-token',
      username: 'bot',
    });
  });

  it('builds an SSH key credential from files, keeping the key byte for byte', async () => {
    expect(await body({ sshKey: 'id_ed25519', knownHosts: 'known_hosts' })).toEqual({
      type: 'ssh_key',
      private_key: files.id_ed25519,
      known_hosts: files.known_hosts,
    });
  });

  it.each<[CredentialOptions, RegExp]>([
    [{}, /--token-stdin .* or --ssh-key/],
    [{ tokenStdin: true, sshKey: 'id_ed25519' }, /not both/],
    [{ tokenStdin: true, knownHosts: 'known_hosts' }, /--known-hosts goes with --ssh-key/],
    [{ sshKey: 'id_ed25519', username: 'bot' }, /--username goes with --token-stdin/],
    [{ sshKey: 'id_ed25519.pub' }, /is not a private key/],
  ])('refuses %j', async (opts, message) => {
    await expect(body(opts)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  });

  it('refuses an empty token', async () => {
    await expect(body({ tokenStdin: true }, ' \n')).rejects.toMatchObject({
      exitCode: 2,
      message: 'the token is empty',
    });
  });
});

describe('FILE:LINE[-END]', () => {
  it('takes a line or a range, from the end, so that a path may hold colons', () => {
    expect(parseLineRange('src/index.ts:12')).toEqual({ path: 'src/index.ts', startLine: 12, endLine: 12 });
    expect(parseLineRange('src/index.ts:12-14')).toEqual({ path: 'src/index.ts', startLine: 12, endLine: 14 });
    expect(parseLineRange('docs/a:b.md:3-3')).toEqual({ path: 'docs/a:b.md', startLine: 3, endLine: 3 });
    expect(parseLineRange('a b/ü #1.md:1')).toEqual({ path: 'a b/ü #1.md', startLine: 1, endLine: 1 });
  });

  it('refuses a missing line, line 0, a backwards range, and anything else', () => {
    expect(() => parseLineRange('src/index.ts:0')).toThrow(/lines count from 1/);
    expect(() => parseLineRange('src/index.ts:14-12')).toThrow(/ends \(12\) before it starts \(14\)/);
    for (const bad of [
      'src/index.ts',
      'src/index.ts:',
      ':12',
      'a.ts:1-',
      'a.ts:-3',
      'a.ts:x',
      'a.ts:1-2-3',
      'a.ts:1.5',
    ]) {
      expect(() => parseLineRange(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});

describe('--file PATH[:LINE]', () => {
  it('takes a path with or without a line', () => {
    expect(parseFileRef('src/a.ts')).toEqual({ path: 'src/a.ts', line: null });
    expect(parseFileRef('src/a.ts:7')).toEqual({ path: 'src/a.ts', line: 7 });
    expect(parseFileRef('c:d.txt:2')).toEqual({ path: 'c:d.txt', line: 2 });
    expect(() => parseFileRef('src/a.ts:0')).toThrow(/lines count from 1/);
    expect(() => parseFileRef('')).toThrow(InvalidArgumentError);
  });
});

describe('--since', () => {
  const now = Date.parse('2025-03-10T12:00:00.000Z');

  it('takes a duration back from now', () => {
    expect(parseSince('90s', now)).toBe('2025-03-10T11:58:30.000Z');
    expect(parseSince('30m', now)).toBe('2025-03-10T11:30:00.000Z');
    expect(parseSince('45min', now)).toBe('2025-03-10T11:15:00.000Z');
    expect(parseSince('1h', now)).toBe('2025-03-10T11:00:00.000Z');
    expect(parseSince('2d', now)).toBe('2025-03-08T12:00:00.000Z');
    expect(parseSince('1w', now)).toBe('2025-03-03T12:00:00.000Z');
    expect(parseSince(' 0h ', now)).toBe('2025-03-10T12:00:00.000Z');
  });

  it('takes a date or a time, and gives UTC', () => {
    expect(parseSince('2025-01-31', now)).toBe('2025-01-31T00:00:00.000Z');
    expect(parseSince('2025-01-31T12:30:00Z', now)).toBe('2025-01-31T12:30:00.000Z');
    expect(parseSince('2025-01-31T12:30:00+02:00', now)).toBe('2025-01-31T10:30:00.000Z');
  });

  it('refuses anything else', () => {
    for (const bad of ['yesterday', '1y', '-1h', 'h', '1.5h', '31/01/2025', '2025-13-45', '']) {
      expect(() => parseSince(bad, now), bad).toThrow(/a duration such as 30m/);
    }
  });
});

describe('tasks update', () => {
  it('sends only what was given; --assign none unassigns', () => {
    expect(taskUpdateBody({ status: 'done' }, undefined)).toEqual({ status: 'done' });
    expect(taskUpdateBody({ assign: 'none' }, null)).toEqual({ assignee_id: null });
    expect(taskUpdateBody({ title: 'T', description: '', assign: 'b@x.test' }, 'u2')).toEqual({
      title: 'T',
      description: '',
      assignee_id: 'u2',
    });
    expect(['none', 'NONE', 'nobody', '-'].every(isNobody)).toBe(true);
    expect(isNobody('none@example.test')).toBe(false);
  });

  it('refuses to change nothing', () => {
    expect(() => taskUpdateBody({}, undefined)).toThrow(/nothing to change/);
  });
});

describe('parseDocTarget', () => {
  it('reads FILE, FILE:LINE and FILE:START-END, the lines from the end', () => {
    expect(parseDocTarget('src/a.ts')).toEqual({ path: 'src/a.ts', range: null });
    expect(parseDocTarget('src/a.ts:12')).toEqual({ path: 'src/a.ts', range: { start_line: 12, end_line: 12 } });
    expect(parseDocTarget('docs/a:b.ts:3-9')).toEqual({ path: 'docs/a:b.ts', range: { start_line: 3, end_line: 9 } });
    expect(parseDocTarget('a:b.ts')).toEqual({ path: 'a:b.ts', range: null });
  });

  it('refuses line 0, a backwards range and an empty file', () => {
    expect(() => parseDocTarget('a.ts:0')).toThrow(InvalidArgumentError);
    expect(() => parseDocTarget('a.ts:9-3')).toThrow(/ends \(3\) before it starts \(9\)/);
    expect(() => parseDocTarget('')).toThrow(InvalidArgumentError);
  });
});
