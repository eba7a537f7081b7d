import { useQuery } from '@tanstack/react-query';
import { agent, client } from './agent.js';

/** Query keys of the desktop renderer: the agent's state under `agent`, the server's under its resource. */
export const keys = {
  health: ['agent', 'health'] as const,
  localHealth: ['agent', 'health', 'local'] as const,
  mappings: ['agent', 'mappings'] as const,
  projects: ['projects'] as const,
  project: (id: string) => ['projects', id] as const,
  notifications: ['notifications'] as const,
  unread: ['notifications', 'unread'] as const,
  latest: ['notifications', 'latest'] as const,
  job: (id: string) => ['ai', 'job', id] as const,
  preview: (id: string) => ['previews', id] as const,
  thread: (id: string) => ['threads', id] as const,
};

/** The agent's health: signed in or not, as whom, where the session is kept. */
export function useAgentHealth() {
  return useQuery({ queryKey: keys.health, queryFn: ({ signal }) => agent.health({ signal }) });
}

/** The user's projects (server), for as long as the agent is signed in. */
export function useProjects(enabled = true) {
  return useQuery({ queryKey: keys.projects, queryFn: ({ signal }) => client.projects.list({ signal }), enabled });
}

/** One project. */
export function useProject(id: string) {
  return useQuery({ queryKey: keys.project(id), queryFn: ({ signal }) => client.projects.get(id, { signal }) });
}

/** Every folder ↔ project mapping the agent keeps (shared with the editors' plugins). */
export function useMappings() {
  return useQuery({ queryKey: keys.mappings, queryFn: ({ signal }) => agent.listMappings({ signal }) });
}

/** How many unread notifications there are (outcomes, up to 100), kept current by the event stream. */
export function useUnread(enabled: boolean) {
  return useQuery({
    queryKey: keys.unread,
    queryFn: async ({ signal }) =>
      (await client.notifications.list({ unread_only: true, steps: false, limit: 100 }, { signal })).notifications
        .length,
    enabled,
  });
}

/** The latest notifications, newest first. */
export function useLatestNotifications() {
  return useQuery({
    queryKey: keys.latest,
    queryFn: async ({ signal }) =>
      [...(await client.notifications.list({ steps: false, limit: 30 }, { signal })).notifications].reverse(),
  });
}

/** The agent's health script: each check with its fix. */
export function useLocalHealth() {
  return useQuery({ queryKey: keys.localHealth, queryFn: ({ signal }) => agent.localHealth({ signal }) });
}
