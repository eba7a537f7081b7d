import type { onRequestAsyncHookHandler } from 'fastify';
import type { Services } from '../services.js';

/** What every route module gets: the services, and the hook that authenticates a request. */
export interface RouteDeps {
  services: Services;
  authenticate: onRequestAsyncHookHandler;
}
