import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Device, DeviceList, DeviceParams, RegisterDeviceBody, VapidPublicKey } from '@hivesync/core';
import { caller } from '../../http/auth-hook.js';
import { NoContent, sendEmpty, withErrors } from '../../http/responses.js';
import type { RouteDeps } from '../../http/route-deps.js';

/** /devices (push tokens and Web Push subscriptions of the caller's devices) and the VAPID public key. */
export function deviceRoutes({ services, authenticate }: RouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', authenticate);
    const tags = ['devices'];
    const security = [{ bearer: [] }];
    app.post(
      '/devices',
      {
        schema: {
          tags,
          security,
          summary: 'Register a device for push: an Expo push token (ios, android) or a Web Push subscription (web)',
          description:
            'Registering the same token or endpoint again updates its device (200) instead of adding one (201); a token registered by another user moves to the caller. A user has at most 50 devices (409 conflict past that). A web endpoint must be https on a known push service and resolve to public addresses.',
          body: RegisterDeviceBody,
          response: withErrors({ 200: Device, 201: Device }, 409, 503),
        },
      },
      async (req, reply) => {
        const { device, created } = await services.devices.register(caller(req), req.body);
        return reply.code(created ? 201 : 200).send(device);
      },
    );
    app.get(
      '/devices',
      {
        schema: { tags, security, summary: "The caller's devices", response: withErrors({ 200: DeviceList }) },
      },
      async (req) => services.devices.list(caller(req)),
    );
    app.delete(
      '/devices/:id',
      {
        schema: {
          tags,
          security,
          summary: "Remove one of the caller's devices (no more push to it); another user's device answers 404",
          params: DeviceParams,
          response: withErrors({ 204: NoContent }, 404),
        },
      },
      async (req, reply) => {
        await services.devices.remove(caller(req), req.params.id);
        return sendEmpty(reply, 204);
      },
    );
    app.get(
      '/push/vapid-public-key',
      {
        schema: {
          tags,
          security,
          summary: "The server's VAPID public key, for a browser's pushManager.subscribe (applicationServerKey)",
          response: withErrors({ 200: VapidPublicKey }, 503),
        },
      },
      async () => services.devices.vapidPublicKey(),
    );
  };
}
