import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { later } from '../components/Later.js';

const NotificationsPage = lazy(() =>
  import('../views/NotificationsPage.js').then((m) => ({ default: m.NotificationsPage })),
);
const TasksPage = lazy(() => import('../views/TasksPage.js').then((m) => ({ default: m.TasksPage })));

/** The views of notifications and a project's tasks; main.tsx mounts them behind RequireAuth. */
export const activityRoutes: RouteObject[] = [
  { path: '/notifications', element: later(<NotificationsPage />) },
  { path: '/projects/:projectId/tasks', element: later(<TasksPage />) },
];
