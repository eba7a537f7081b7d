/** Every screen of the app and what it needs: the one place a screen's parameters are typed. */
export type Route =
  | { name: 'preview' }
  | { name: 'notifications' }
  | { name: 'projects' }
  | { name: 'settings' }
  | { name: 'project'; projectId: string; tab?: 'tasks' | 'threads' | 'suggestions' }
  | { name: 'thread'; projectId: string; threadId: string }
  | { name: 'review'; projectId: string; jobId?: string; suggestionId?: string };

/** The tabs of the phone layout, in order. */
export const TABS = [
  { name: 'preview', label: 'Preview' },
  { name: 'notifications', label: 'Notifications' },
  { name: 'projects', label: 'Projects' },
  { name: 'settings', label: 'Settings' },
] as const;
export type TabName = (typeof TABS)[number]['name'];
