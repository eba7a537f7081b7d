import type { RouteObject } from 'react-router';

/** The views of a project's previews; main.tsx mounts them behind RequireAuth. */
export const previewRoutes: RouteObject[] = [];
