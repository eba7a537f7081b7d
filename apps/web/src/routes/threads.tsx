import type { RouteObject } from 'react-router';

/** The views of a project's threads; main.tsx mounts them behind RequireAuth. */
export const threadRoutes: RouteObject[] = [];
