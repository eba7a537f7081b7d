import { describe, expect, it } from 'vitest';
import { checkRepoUrl } from './repo-url.js';

describe('checkRepoUrl', () => {
  it('refuses local repositories with a message that names the setting and how to set it', () => {
    for (const url of ['/srv/git/app', 'file:///srv/git/app']) {
      expect(() => checkRepoUrl(url, { allowLocal: false, allowHttp: false })).toThrow(
        /not accepted on this server\. An operator can allow them by starting the server with HIVESYNC_ALLOW_LOCAL_REPOS=true/,
      );
      expect(checkRepoUrl(url, { allowLocal: true, allowHttp: false })).toBe(url);
    }
  });

  it('refuses secrets in the URL with repo_url_forbidden, and hosts that git could read as options', () => {
    const policy = { allowLocal: false, allowHttp: true };
    for (const url of ['https://u:p@h.test/r.git', 'https://tok@h.test/r.git', 'http://tok@h.test/r.git']) {
      expect(() => checkRepoUrl(url, policy), url).toThrow(expect.objectContaining({ code: 'repo_url_forbidden' }));
    }
    expect(checkRepoUrl('ssh://git@h.test/r.git', policy)).toBe('ssh://git@h.test/r.git');
    for (const url of ['git@-oProxyCommand:r.git', 'ssh://-oProxyCommand=x/r.git']) {
      expect(() => checkRepoUrl(url, policy), url).toThrow(/must not start with "-"/);
    }
  });
});
