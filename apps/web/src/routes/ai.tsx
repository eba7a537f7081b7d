import type { RouteObject } from 'react-router';

/** The views of AI jobs and their suggestions; main.tsx mounts them behind RequireAuth. */
export const aiRoutes: RouteObject[] = [];
