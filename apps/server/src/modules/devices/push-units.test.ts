import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '@hivesync/core';
import { ConfigError, loadConfig } from '../../config.js';
import { tempDir } from '../../test/harness.js';
import { pushMessage } from '../notifications/push-message.js';
import { PushEndpointPolicy, PushEndpointRefused } from './push-endpoint-policy.js';
import { resolveVapidKeys } from './vapid-keys.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const PUBLIC = 'B'.repeat(87);
const PRIVATE = 'p'.repeat(43);

describe('push settings', () => {
  it('has defaults that reach Expo and the browsers’ push services', () => {
    const push = loadConfig({}, {}).push;
    expect(push.expoUrl).toBe('https://exp.host/--/api/v2/push');
    expect(push.webpushAllowedHosts).toContain('fcm.googleapis.com');
    expect(push.webpushTrustedOrigins).toEqual([]);
    expect(push.vapid).toMatchObject({ publicKey: undefined, privateKey: undefined });
  });

  it('refuses malformed keys, subjects, origins with a path and bad host patterns, and one VAPID key without the other', () => {
    let error: unknown;
    try {
      loadConfig(
        {
          HIVESYNC_WEBPUSH_TRUSTED_ORIGINS: 'http://127.0.0.1:9100/push',
          HIVESYNC_WEBPUSH_ALLOWED_HOSTS: 'fcm.googleapis.com,bad host',
          HIVESYNC_VAPID_SUBJECT: 'ops@example.com',
        },
        {},
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HIVESYNC_WEBPUSH_TRUSTED_ORIGINS: must be origins/);
    expect(problems).toMatch(/HIVESYNC_WEBPUSH_ALLOWED_HOSTS: must be host names/);
    expect(problems).toMatch(/HIVESYNC_VAPID_SUBJECT: must be a mailto: or https: URL/);
    // (Checks across variables run once each variable is well-formed.)
    expect(() => loadConfig({ HIVESYNC_VAPID_PUBLIC_KEY: PUBLIC }, {})).toThrow(
      /HIVESYNC_VAPID_PRIVATE_KEY: set both VAPID keys/,
    );
    expect(() => loadConfig({ HIVESYNC_VAPID_PRIVATE_KEY: 'short', HIVESYNC_VAPID_PUBLIC_KEY: PUBLIC }, {})).toThrow(
      /HIVESYNC_VAPID_PRIVATE_KEY: must be a VAPID private key/,
    );
    // A secret is never echoed back in the problem.
    expect(() => loadConfig({ HIVESYNC_VAPID_PRIVATE_KEY: 'secret-value' }, {})).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-value') }),
    );
  });
});

describe('VAPID keys', () => {
  it('uses configured keys, generates a 0600 pair once for a whole installation, and none for split processes', () => {
    const tmp = tempDir();
    try {
      const subject = 'mailto:ops@example.test';
      expect(resolveVapidKeys({ publicKey: PUBLIC, privateKey: PRIVATE, subject }, tmp.dir, 'api')).toEqual({
        publicKey: PUBLIC,
        privateKey: PRIVATE,
        subject,
      });
      expect(resolveVapidKeys({ publicKey: undefined, privateKey: undefined, subject }, tmp.dir, 'worker')).toBe(
        undefined,
      );
      expect(fs.existsSync(path.join(tmp.dir, 'vapid-keys.json'))).toBe(false);
      const first = resolveVapidKeys({ publicKey: undefined, privateKey: undefined, subject }, tmp.dir, 'all')!;
      expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
      expect(fs.statSync(path.join(tmp.dir, 'vapid-keys.json')).mode & 0o777).toBe(0o600);
      expect(resolveVapidKeys({ publicKey: undefined, privateKey: undefined, subject }, tmp.dir, 'all')).toEqual(first);
    } finally {
      tmp.remove();
    }
  });
});

describe('push endpoint policy', () => {
  const policy = new PushEndpointPolicy({
    allowedHosts: ['fcm.googleapis.com', '*.push.apple.com'],
    trustedOrigins: ['http://127.0.0.1:9100'],
  });
  policy.guard.lookup = async () => ['17.253.144.10'];

  it('matches push service hosts exactly or as subdomains of a *. pattern', async () => {
    await expect(policy.check('https://web.push.apple.com/x')).resolves.toMatchObject({ addresses: ['17.253.144.10'] });
    for (const bad of [
      'https://evilpush.apple.com/x',
      'https://push.apple.com.evil.test/x',
      'https://fcm.googleapis.com.evil.test/x',
    ]) {
      await expect(policy.check(bad), bad).rejects.toBeInstanceOf(PushEndpointRefused);
    }
  });

  it('lets the trusted origin alone skip the address check', async () => {
    await expect(policy.check('http://127.0.0.1:9100/push/1')).resolves.toMatchObject({ addresses: undefined });
    await expect(policy.check('http://127.0.0.1:9101/push/1')).rejects.toThrow(/https/);
    await expect(policy.check('https://127.0.0.1:9100/push/1')).rejects.toBeInstanceOf(PushEndpointRefused);
  });
});

describe('push messages', () => {
  it('names things for every notification type and opens a path of the app', () => {
    const ids = {
      thread_id: '2b1f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
      job_id: '3c2f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
      preview_id: '4d3f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
      sync_id: '5e4f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
      task_id: '6f5f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
      by: '7a6f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
      added_by: '7a6f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
    };
    for (const type of NOTIFICATION_TYPES) {
      const m = pushMessage({
        notificationId: '1a0f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
        type,
        projectId: '8b7f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d',
        payload: {
          ...ids,
          by_name: 'Ana',
          added_by_name: 'Ana',
          project_name: 'Harbor',
          title: 'Fix login',
          path: 'a.ts',
          line: 3,
          action: 'refactor',
          message: 'Upgrade',
          resource: 'disk',
          free_percent: 4,
          status: 'degraded',
          checks: [],
        },
      });
      expect(m.title, type).not.toMatch(UUID);
      expect(m.body, type).not.toMatch(UUID);
      expect(m.title.length, type).toBeGreaterThan(0);
      expect(m.data.url, type).toMatch(/^\/(projects|notifications)/);
      expect(m.data).toMatchObject({ type, notification_id: '1a0f5f4e-8c1d-4b57-9a43-8e0f3f1b2c3d' });
    }
    const long = pushMessage({
      notificationId: 'n',
      type: 'system_maintenance_warning',
      projectId: null,
      payload: { message: 'x'.repeat(1000) },
    });
    expect(long.body.length).toBeLessThanOrEqual(240);
  });
});
