import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import webpush from 'web-push';
import type { PushMessage } from '../notifications/push-message.js';
import { PushEndpointRefused, type PushEndpointPolicy } from './push-endpoint-policy.js';
import type { VapidKeys } from './vapid-keys.js';

/** What a provider said about one push. */
export type PushOutcome =
  | { kind: 'sent'; receiptId?: string }
  /** The provider says the token or subscription is gone for good: the device is removed. */
  | { kind: 'invalid'; reason: string }
  | { kind: 'failed'; reason: string; retry: boolean };

/** An Expo receipt: ok, or the error Expo reports (`DeviceNotRegistered`…). */
export type ExpoReceipt = { status: 'ok' } | { status: 'error'; error: string };

// Expo takes at most 100 messages per send and 1,000 ids per receipts request.
const EXPO_SEND_BATCH = 100;
const EXPO_RECEIPT_BATCH = 1000;

interface ExpoTicket {
  status?: string;
  id?: string;
  message?: string;
  details?: { error?: string };
}

/**
 * Expo's push HTTP API (https://docs.expo.dev/push-notifications/sending-notifications/): POST `<base>/send` with
 * up to 100 messages, one ticket back per message; later POST `<base>/getReceipts` with the tickets' ids. The base
 * URL is configuration (HIVESYNC_EXPO_PUSH_URL), never a user's.
 */
export class ExpoPushProvider {
  constructor(private readonly options: { baseUrl: string; accessToken: string | undefined; timeoutMs: number }) {}

  /** Sends one message per token; the outcomes in the same order. */
  async send(messages: { token: string; message: PushMessage }[], signal?: AbortSignal): Promise<PushOutcome[]> {
    const out: PushOutcome[] = [];
    for (let i = 0; i < messages.length; i += EXPO_SEND_BATCH) {
      const batch = messages.slice(i, i + EXPO_SEND_BATCH);
      const body = batch.map(({ token, message }) => ({
        to: token,
        title: message.title,
        body: message.body,
        data: message.data,
        sound: 'default',
        priority: 'high',
      }));
      let res: { status: number; json: { data?: ExpoTicket[]; errors?: { code?: string; message?: string }[] } };
      try {
        res = await this.post('/send', body, signal);
      } catch (err) {
        out.push(...batch.map(() => ({ kind: 'failed' as const, reason: (err as Error).message, retry: true })));
        continue;
      }
      const tickets = res.json.data;
      if (res.status !== 200 || !Array.isArray(tickets) || tickets.length !== batch.length) {
        const reason = `expo answered ${res.status}${res.json.errors?.[0]?.code ? ` ${res.json.errors[0].code}` : ''}`;
        const retry = res.status === 429 || res.status >= 500 || res.status === 200;
        out.push(...batch.map(() => ({ kind: 'failed' as const, reason, retry })));
        continue;
      }
      for (const ticket of tickets) out.push(ticketOutcome(ticket));
    }
    return out;
  }

  /** The receipts of these tickets that Expo has (those not ready yet are absent). */
  async receipts(ids: string[], signal?: AbortSignal): Promise<Map<string, ExpoReceipt>> {
    const out = new Map<string, ExpoReceipt>();
    for (let i = 0; i < ids.length; i += EXPO_RECEIPT_BATCH) {
      const res = await this.post('/getReceipts', { ids: ids.slice(i, i + EXPO_RECEIPT_BATCH) }, signal);
      if (res.status !== 200) throw new Error(`expo getReceipts answered ${res.status}`);
      const data = (res.json as { data?: Record<string, ExpoTicket> }).data ?? {};
      for (const [id, r] of Object.entries(data)) {
        out.set(id, r.status === 'ok' ? { status: 'ok' } : { status: 'error', error: r.details?.error ?? 'unknown' });
      }
    }
    return out;
  }

  private async post(
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; json: { data?: ExpoTicket[]; errors?: { code?: string; message?: string }[] } }> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const res = await fetch(`${this.options.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        ...(this.options.accessToken && { authorization: `Bearer ${this.options.accessToken}` }),
      },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await res.text();
    let json = {};
    try {
      json = JSON.parse(text) as object;
    } catch {
      // A proxy's HTML error page: the status says enough.
    }
    return { status: res.status, json };
  }
}

function ticketOutcome(ticket: ExpoTicket): PushOutcome {
  if (ticket.status === 'ok') return { kind: 'sent', ...(ticket.id && { receiptId: ticket.id }) };
  const error = ticket.details?.error ?? 'unknown';
  if (error === 'DeviceNotRegistered') return { kind: 'invalid', reason: error };
  // Too many messages to this device right now: later may work. MessageTooBig, InvalidCredentials: it will not.
  return { kind: 'failed', reason: error, retry: error === 'MessageRateExceeded' };
}

/**
 * Web Push (RFC 8030, payload encrypted per RFC 8291, VAPID per RFC 8292) through the `web-push` library, which
 * builds the request; this class sends it itself so that the connection goes only to the addresses the endpoint
 * policy checked (no second DNS answer can point it inside the network).
 */
export class WebPushProvider {
  constructor(
    private readonly vapid: VapidKeys | undefined,
    private readonly endpoints: PushEndpointPolicy,
    private readonly options: { timeoutMs: number },
  ) {}

  /** Sends one message to one subscription. */
  async send(
    subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
    message: PushMessage,
  ): Promise<PushOutcome> {
    if (!this.vapid) return { kind: 'failed', reason: 'web push is not configured (no VAPID keys)', retry: false };
    let addresses: string[] | undefined;
    try {
      addresses = (await this.endpoints.check(subscription.endpoint)).addresses;
    } catch (err) {
      if (err instanceof PushEndpointRefused) return { kind: 'failed', reason: err.message, retry: err.transient };
      throw err;
    }
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      details = webpush.generateRequestDetails(subscription, JSON.stringify(message), {
        vapidDetails: this.vapid,
        TTL: 24 * 60 * 60,
        urgency: 'high',
        contentEncoding: 'aes128gcm',
      });
    } catch (err) {
      // Keys that cannot encrypt (checked at registration; a row from elsewhere): sending again will not help.
      return {
        kind: 'failed',
        reason: `cannot encrypt for this subscription: ${(err as Error).message}`,
        retry: false,
      };
    }
    let status: number;
    try {
      status = await request(details.endpoint, details.method, details.headers, details.body, {
        addresses,
        timeoutMs: this.options.timeoutMs,
      });
    } catch (err) {
      return { kind: 'failed', reason: (err as Error).message, retry: true };
    }
    if (status >= 200 && status < 300) return { kind: 'sent' };
    // The subscription expired or was unsubscribed: it will never work again.
    if (status === 404 || status === 410) return { kind: 'invalid', reason: `push service answered ${status}` };
    return { kind: 'failed', reason: `push service answered ${status}`, retry: status === 429 || status >= 500 };
  }
}

/** One HTTP(S) request, its connection pinned to `addresses` when given; resolves to the status code. */
function request(
  endpoint: string,
  method: string,
  headers: Record<string, string | number>,
  body: Buffer | null,
  options: { addresses: string[] | undefined; timeoutMs: number },
): Promise<number> {
  const url = new URL(endpoint);
  const pinned = options.addresses;
  const lookup: net.LookupFunction | undefined = pinned
    ? (_host, opts, cb) => {
        const all = pinned.map((address) => ({ address, family: net.isIP(address) }));
        if ((opts as { all?: boolean }).all) (cb as (e: null, a: typeof all) => void)(null, all);
        else cb(null, all[0]!.address, all[0]!.family);
      }
    : undefined;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method, headers, timeout: options.timeoutMs, ...(lookup && { lookup }) },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}
