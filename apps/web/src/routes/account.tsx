import type { RouteObject } from 'react-router';

/** The views of the account page and a project's settings; main.tsx mounts them behind RequireAuth. */
export const accountRoutes: RouteObject[] = [];
