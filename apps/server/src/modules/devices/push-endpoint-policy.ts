import { RemoteForbidden, RemoteGuard, RemoteUnresolved } from '../repo/remote-guard.js';

/** A Web Push endpoint this server will not send to; `message` says why, for the 400 answer. */
export class PushEndpointRefused extends Error {
  constructor(
    message: string,
    /** True when asking again later may succeed (the name did not resolve). */
    readonly transient = false,
  ) {
    super(message);
    this.name = 'PushEndpointRefused';
  }
}

/** Where a checked endpoint may be reached: pinned to the addresses checked, or (a trusted origin) as it resolves. */
export interface CheckedEndpoint {
  url: URL;
  /** The addresses the connection must use (undefined for a trusted origin). */
  addresses: string[] | undefined;
}

/**
 * Which Web Push endpoints the server sends to (SSRF rules): a browser hands the server any URL as its "push
 * service", so an endpoint must be https, on a push service host (HIVESYNC_WEBPUSH_ALLOWED_HOSTS), and resolve to
 * public addresses only, checked by the same RemoteGuard as repository remotes (never with internal networks
 * allowed), at registration and again before every send, whose connection is then pinned to the addresses checked.
 * Only the exact origins an operator lists in HIVESYNC_WEBPUSH_TRUSTED_ORIGINS skip the address check (and may be
 * http): that is how a test's loopback fake is reached without opening loopback to any other endpoint.
 */
export class PushEndpointPolicy {
  /** The address check; its `lookup` is replaceable in tests. */
  readonly guard = new RemoteGuard({ allowPrivateNetworks: false, allowedHosts: [] });

  constructor(private readonly options: { allowedHosts: readonly string[]; trustedOrigins: readonly string[] }) {}

  /** Checks an endpoint; throws PushEndpointRefused. */
  async check(endpoint: string): Promise<CheckedEndpoint> {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new PushEndpointRefused('is not a URL');
    }
    if (url.username !== '' || url.password !== '') throw new PushEndpointRefused('must not carry a user or password');
    if (this.options.trustedOrigins.includes(url.origin)) return { url, addresses: undefined };
    if (url.protocol !== 'https:') throw new PushEndpointRefused('must be an https:// URL');
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!this.hostAllowed(host)) {
      throw new PushEndpointRefused(
        `${host} is not a Web Push service this server sends to (HIVESYNC_WEBPUSH_ALLOWED_HOSTS)`,
      );
    }
    try {
      const checked = await this.guard.check(url.toString());
      return { url, addresses: checked?.addresses };
    } catch (err) {
      if (err instanceof RemoteForbidden) {
        throw new PushEndpointRefused(
          `${host} is or resolves to an internal address; push is only sent to public push services`,
        );
      }
      if (err instanceof RemoteUnresolved) throw new PushEndpointRefused(`${host} could not be resolved`, true);
      throw err;
    }
  }

  private hostAllowed(host: string): boolean {
    return this.options.allowedHosts.some(
      (pattern) => pattern === '*' || (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern),
    );
  }
}
