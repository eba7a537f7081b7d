/** The agent's version, in its discovery file, /health and every answer's X-HiveSync-Agent header. */
export const AGENT_VERSION = '0.1.0';
