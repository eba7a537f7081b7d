import { describe, expect, it } from 'vitest';
import { credentialDetachReason } from './projects.service.js';

describe('credentialDetachReason', () => {
  const project = {
    repoUrl: 'https://github.com/acme/web.git',
    credentialType: 'https_token' as const,
    credentialSetBy: 'alice',
    role: 'admin' as const,
  };

  it('keeps the credential for the same URL, or when there is none', () => {
    expect(credentialDetachReason(project, project.repoUrl, 'bob')).toBeUndefined();
    expect(credentialDetachReason({ ...project, credentialType: null }, 'https://evil.test/x', 'bob')).toBeUndefined();
  });

  it('never lets it reach another scheme, host or port', () => {
    for (const url of [
      'https://evil.test/acme/web.git',
      'https://github.com:8443/acme/web.git',
      'http://github.com/acme/web.git',
      'ssh://git@github.com/acme/web.git',
      'git@evil.test:acme/web.git',
    ]) {
      expect(credentialDetachReason(project, url, 'alice'), url).toBe('host_changed');
    }
    expect(credentialDetachReason(project, null, 'alice')).toBe('repo_url_removed');
  });

  it('lets only whoever stored it, or the owner, keep it across a change of path', () => {
    const moved = 'https://GitHub.com:443/acme/web-next.git';
    expect(credentialDetachReason(project, moved, 'alice')).toBeUndefined();
    expect(credentialDetachReason({ ...project, role: 'owner' }, moved, 'carol')).toBeUndefined();
    expect(credentialDetachReason(project, moved, 'bob')).toBe('path_changed_by_other');
  });
});
