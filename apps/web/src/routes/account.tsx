import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { later } from '../components/Later.js';

const AccountPage = lazy(() => import('../views/AccountPage.js').then((m) => ({ default: m.AccountPage })));
const ProjectSettingsPage = lazy(() =>
  import('../views/ProjectSettingsPage.js').then((m) => ({ default: m.ProjectSettingsPage })),
);

/** The views of the account page and a project's settings; main.tsx mounts them behind RequireAuth. */
export const accountRoutes: RouteObject[] = [
  { path: '/account', element: later(<AccountPage />) },
  { path: '/projects/:projectId/settings', element: later(<ProjectSettingsPage />) },
];
