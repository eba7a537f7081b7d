import { describe, expect, it } from 'vitest';
import { projectsForRemotes, repoKey, sameRepo } from './repo-url.js';

describe('repository URLs', () => {
  it('reduces SSH, HTTPS and scp-like spellings of one repository to one key', () => {
    const spellings = [
      'git@github.com:expressjs/express.git',
      'https://github.com/expressjs/express',
      'https://user:secret@GitHub.com/expressjs/express.git/',
      'ssh://git@github.com:22/expressjs/express.git',
    ];
    for (const s of spellings) expect(repoKey(s), s).toBe('github.com/expressjs/express');
  });

  it('keeps local paths as paths (case matters there) and reads file:// URLs', () => {
    expect(repoKey('/tmp/Home/express.git')).toBe('/tmp/Home/express');
    expect(sameRepo('file:///tmp/Home/express.git', '/tmp/Home/express.git/')).toBe(true);
    expect(sameRepo('/tmp/home/express.git', '/tmp/Home/express.git')).toBe(false);
  });

  it('tells different repositories apart', () => {
    expect(sameRepo('https://github.com/expressjs/express', 'https://github.com/expressjs/express-session')).toBe(
      false,
    );
    expect(sameRepo('https://github.com/a/x', 'https://gitlab.com/a/x')).toBe(false);
  });

  it("finds the projects whose repository is one of the folder's remotes", () => {
    const projects = [
      { id: '1', repo_url: 'https://github.com/expressjs/express.git' },
      { id: '2', repo_url: null },
      { id: '3', repo_url: 'https://github.com/vuejs/core' },
    ];
    expect(projectsForRemotes(projects, ['git@github.com:expressjs/express.git']).map((p) => p.id)).toEqual(['1']);
    expect(projectsForRemotes(projects, [])).toEqual([]);
  });
});
