import dns from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** Where git connects for a repository URL. */
export interface RemoteEndpoint {
  scheme: 'https' | 'http' | 'ssh' | 'git';
  /** The host as git, curl and ssh see it: lower-cased, without the brackets of an IPv6 literal. */
  host: string;
  port: number;
}

/** What the guard checked: the endpoint and the addresses it may connect to (pin git to them). */
export interface CheckedRemote {
  endpoint: RemoteEndpoint;
  addresses: string[];
}

/** Which remotes an installation may reach (from config: `HIVESYNC_ALLOW_PRIVATE_REMOTES`, `HIVESYNC_REPO_ALLOWED_HOSTS`). */
export interface RemotePolicy {
  allowPrivateNetworks: boolean;
  /** Host names, IP addresses and CIDRs an operator allows even though they are internal. */
  allowedHosts: readonly string[];
}

/** The remote's host is, or resolves to, an address this server must not connect to. */
export class RemoteForbidden extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteForbidden';
  }
}

/** The remote's host name could not be resolved (no such name, or DNS did not answer in time). */
export class RemoteUnresolved extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteUnresolved';
  }
}

const DEFAULT_PORTS = { https: 443, http: 80, ssh: 22, git: 9418 } as const;
const SCP_LIKE = /^[A-Za-z0-9._~-]+@([A-Za-z0-9.-]+):(?!\/\/)/;
const LOOKUP_TIMEOUT_MS = 10_000;

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10)',
  private: 'a private',
  uniqueLocal: 'a unique-local (private)',
  ipv4Mapped: 'an IPv4-mapped',
  reserved: 'a reserved',
};

/**
 * Where a repository URL makes git connect: scheme, host and port, read the way git reads the URL (scp-like
 * `user@host:path` is ssh on port 22). Undefined for local paths and file:// (governed by HIVESYNC_ALLOW_LOCAL_REPOS).
 */
export function remoteEndpoint(url: string): RemoteEndpoint | undefined {
  const scp = SCP_LIKE.exec(url);
  if (scp) return { scheme: 'ssh', host: scp[1]!.toLowerCase(), port: 22 };
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(url);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (!(scheme in DEFAULT_PORTS)) return undefined;
  const authority = m[2]!.slice(m[2]!.lastIndexOf('@') + 1);
  let host: string;
  let port: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    host = authority.slice(1, end < 0 ? undefined : end);
    port = end < 0 ? undefined : authority.slice(end + 1).replace(/^:/, '') || undefined;
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    port = colon < 0 ? undefined : authority.slice(colon + 1) || undefined;
  }
  const s = scheme as RemoteEndpoint['scheme'];
  return { scheme: s, host: host.toLowerCase(), port: port && /^\d+$/.test(port) ? Number(port) : DEFAULT_PORTS[s] };
}

/**
 * Keeps repository syncs off the server's own network (SSRF): a remote's host must resolve to public addresses
 * only, unless the installation allows private networks or the operator allowed the host or its range. Checked
 * when a project's URL is stored and again before every sync, whose git is then pinned to the addresses checked
 * (so a name that resolves elsewhere a second time, DNS rebinding, changes nothing).
 */
export class RemoteGuard {
  private readonly names = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  /** Resolves a host name to its addresses (dns.lookup, all of them); replaceable in tests. */
  lookup: (host: string) => Promise<string[]> = defaultLookup;

  constructor(private readonly policy: RemotePolicy) {
    for (const entry of policy.allowedHosts) {
      if (entry.includes('/')) this.ranges.push(ipaddr.parseCIDR(entry));
      else if (net.isIP(entry)) {
        const address = ipaddr.parse(entry);
        this.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else this.names.add(trimDot(entry.toLowerCase()));
    }
  }

  /**
   * Checks the remote of `url`: undefined when nothing needs checking (a local path, private networks allowed, an
   * allowed host name), else the endpoint with the addresses git may use. Throws RemoteForbidden for an internal
   * address, RemoteUnresolved when the name does not resolve.
   */
  async check(url: string): Promise<CheckedRemote | undefined> {
    const endpoint = remoteEndpoint(url);
    if (!endpoint || this.policy.allowPrivateNetworks) return undefined;
    if (this.names.has(trimDot(endpoint.host))) return undefined;
    const literal = net.isIP(endpoint.host) !== 0;
    const addresses = literal ? [endpoint.host] : await this.resolve(endpoint.host);
    for (const address of addresses) {
      const refused = this.refusal(address);
      if (refused) {
        const what = literal ? `${endpoint.host} is` : `${endpoint.host} resolves to ${address},`;
        throw new RemoteForbidden(
          `repo_url: ${what} ${refused} address; this server does not fetch repositories from loopback, private, ` +
            'link-local or other internal addresses. An operator can allow the host with HIVESYNC_REPO_ALLOWED_HOSTS.',
        );
      }
    }
    return { endpoint, addresses };
  }

  private async resolve(host: string): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const addresses = await Promise.race([
        this.lookup(host),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), LOOKUP_TIMEOUT_MS);
        }),
      ]);
      if (addresses.length === 0) throw new Error('no addresses');
      return addresses;
    } catch (err) {
      throw new RemoteUnresolved(`Could not resolve host ${host} (${(err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Why `address` may not be connected to ("a loopback"), or undefined when it may. */
  private refusal(address: string): string | undefined {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.parse(address);
    } catch {
      return 'an unparsable';
    }
    // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is the IPv4 address to the kernel.
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
      parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    }
    if (this.ranges.some(([net, bits]) => net.kind() === parsed.kind() && parsed.match(net, bits))) return undefined;
    const range = parsed.range();
    if (range === 'unicast') {
      // IPv4-compatible IPv6 (::a.b.c.d, deprecated) is not routed as public: refuse it with the rest of ::/96.
      if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) {
        return 'a reserved';
      }
      return undefined;
    }
    return RANGE_NAMES[range] ?? `a special-purpose (${range})`;
  }
}

/**
 * The git configuration that pins an HTTP(S) remote to the addresses checked (curl's CURLOPT_RESOLVE), as
 * environment for git (GIT_CONFIG_COUNT/KEY/VALUE); empty for other schemes and for IP literals.
 */
export function pinnedRemoteEnv(checked: CheckedRemote | undefined): Record<string, string> {
  if (!checked) return {};
  const { endpoint, addresses } = checked;
  if ((endpoint.scheme !== 'https' && endpoint.scheme !== 'http') || net.isIP(endpoint.host) !== 0) return {};
  const list = addresses.map((a) => (net.isIP(a) === 6 ? `[${a}]` : a)).join(',');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.curloptResolve',
    GIT_CONFIG_VALUE_0: `${endpoint.host}:${endpoint.port}:${list}`,
  };
}

async function defaultLookup(host: string): Promise<string[]> {
  return (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}

function trimDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}
