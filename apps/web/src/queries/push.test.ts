import { describe, expect, it } from 'vitest';
import type { NotificationPreferences } from '@hivesync/sdk';
import { applyChanges } from './push.js';

describe('the preferences table’s change before the server answers', () => {
  it('changes only the channels sent, of the types sent', () => {
    const prefs: NotificationPreferences = {
      preferences: [
        { type: 'thread_reply', in_app: true, push: true, in_app_optional: true },
        { type: 'thread_mention', in_app: true, push: false, in_app_optional: true },
      ],
    };
    expect(applyChanges(prefs, { preferences: [{ type: 'thread_reply', push: false }] }).preferences).toEqual([
      { type: 'thread_reply', in_app: true, push: false, in_app_optional: true },
      { type: 'thread_mention', in_app: true, push: false, in_app_optional: true },
    ]);
    expect(
      applyChanges(prefs, { preferences: [{ type: 'thread_mention', in_app: false, push: true }] }).preferences[1],
    ).toEqual({ type: 'thread_mention', in_app: false, push: true, in_app_optional: true });
  });
});
