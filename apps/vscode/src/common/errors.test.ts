import { HiveSyncError } from '@hivesync/sdk';
import { describe, expect, it } from 'vitest';
import { agentUnavailable, isOffline, isSessionOver } from './errors.js';

const error = (code: string, status: number, message = `${code}.`, retryable = false) =>
  new HiveSyncError({ code, message, status, retryable });

describe('agentUnavailable', () => {
  it('is true when the agent did not answer, or has no such route', () => {
    expect(agentUnavailable(error('network_error', 0, 'Cannot reach the HiveSync agent.', true))).toBe(true);
    expect(
      agentUnavailable(error('not_found', 404, 'The HiveSync agent has no route POST /hivesync-desktop-api/previews.')),
    ).toBe(true);
  });

  it('is false for the answers of a route that exists: the user must see them', () => {
    expect(agentUnavailable(error('not_found', 404, 'Suggestion not found.'))).toBe(false);
    expect(agentUnavailable(error('conflict', 409))).toBe(false);
    expect(agentUnavailable(error('validation_error', 422))).toBe(false);
    expect(agentUnavailable(new Error('boom'))).toBe(false);
  });
});

describe('isSessionOver and isOffline', () => {
  it('tells an ended session from an unreachable server', () => {
    expect(isSessionOver(error('unauthorized', 401))).toBe(true);
    expect(isSessionOver(error('network_error', 0))).toBe(false);
    expect(isOffline(error('network_error', 0, 'x', true))).toBe(true);
    expect(isOffline(error('service_unavailable', 503, 'x', true))).toBe(true);
    expect(isOffline(error('unauthorized', 401))).toBe(false);
  });
});
