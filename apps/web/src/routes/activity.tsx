import type { RouteObject } from 'react-router';

/** The views of notifications and a project's tasks; main.tsx mounts them behind RequireAuth. */
export const activityRoutes: RouteObject[] = [];
