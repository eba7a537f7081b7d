/** The HiveSync local agent (Proxy Mode); see docs/desktop.md. */
export const AGENT_API_PREFIX = '/hivesync-desktop-api';
