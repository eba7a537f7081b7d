import { AgentApi, HiveSyncClient } from '@hivesync/sdk';

/**
 * The agent's own routes (sign-in, mappings, apply, previews, health script), for this page the agent serves: its
 * origin and prefix, authenticated by the HttpOnly cookie the launch URL left; the page never holds a token.
 */
export const agent = new AgentApi();

/**
 * The server's API through the agent (`<agent>/api/v1/…`, forwarded with the user's token by the agent): the same
 * SDK client as every other app, pointed at the agent's origin and prefix, holding no token itself.
 */
export const client = new HiveSyncClient({ baseUrl: agent.url, client: 'desktop' });
