import type { RouteOptions } from 'fastify';

type LifecycleHook = 'preValidation' | 'preHandler' | 'onSend' | 'onResponse' | 'onRequestAbort';

/**
 * Adds a hook to one route (from an `onRoute` hook), before or after the route's own hooks of that kind. A hook that
 * only some routes need goes on those routes alone: an app-wide hook runs, as a promise, on every request, and the
 * unchanged notification poll pays for each one tens of thousands of times a second.
 */
export function addRouteHook(route: RouteOptions, hook: LifecycleHook, fn: unknown, at: 'first' | 'last'): void {
  const slot = route as unknown as Record<LifecycleHook, unknown>;
  const existing = slot[hook];
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  slot[hook] = at === 'first' ? [fn, ...list] : [...list, fn];
}

/** Whether a route answers only reads (GET, HEAD): those never carry an Idempotency-Key worth keeping. */
export function readOnly(route: RouteOptions): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.every((m) => m === 'GET' || m === 'HEAD');
}
