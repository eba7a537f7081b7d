import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';

/** Where scaling decisions are carried out. */
export interface ScalingTarget {
  readonly kind: 'log' | 'exec' | 'kubernetes';
  /** Asks for `desired` workers in `pool`; throws when the target refused or failed. */
  scale(pool: string, desired: number): Promise<void>;
}

/** How the operator configured the target (config.ts, HIVESYNC_AUTOSCALE_*). */
export type ScalingTargetConfig =
  | { kind: 'log' }
  | { kind: 'exec'; command: string; args: readonly string[]; timeoutMs: number; path: string }
  | {
      kind: 'kubernetes';
      apiUrl: string;
      namespace: string;
      /** The Deployment of each pool. */
      deployments: Readonly<Record<string, string>>;
      tokenFile: string;
      caFile: string | undefined;
      timeoutMs: number;
    };

/** The target of a configuration. */
export function createScalingTarget(config: ScalingTargetConfig): ScalingTarget {
  switch (config.kind) {
    case 'log':
      // Decisions only: the decision log (and the hivesync_pool_desired_workers metric) are the output.
      return { kind: 'log', scale: async () => undefined };
    case 'exec':
      return execTarget(config);
    case 'kubernetes':
      return kubernetesTarget(config);
  }
}

/**
 * Runs the operator's command as `command ...args <pool> <desired>`, without a shell: the pool (a validated name)
 * and the count are arguments, never interpolated into a command line. The command gets PATH and nothing else of
 * the server's environment (which holds its secrets).
 */
function execTarget(config: Extract<ScalingTargetConfig, { kind: 'exec' }>): ScalingTarget {
  return {
    kind: 'exec',
    scale: (pool, desired) =>
      new Promise((resolve, reject) => {
        execFile(
          config.command,
          [...config.args, pool, String(desired)],
          { timeout: config.timeoutMs, shell: false, maxBuffer: 64 * 1024, env: { PATH: config.path } },
          (err, _stdout, stderr) => {
            if (!err) return resolve();
            const detail = String(stderr).trim().split('\n').slice(-3).join(' ').slice(0, 500);
            reject(new Error(`the scaling command failed (${err.code ?? err.message})${detail ? `: ${detail}` : ''}`));
          },
        );
      }),
  };
}

/**
 * Sets a Deployment's replicas through the Kubernetes API: a JSON merge patch of `{spec: {replicas}}` on the
 * Deployment's scale subresource, authenticated with the service account's bearer token (read at each call, as
 * Kubernetes rotates it).
 */
function kubernetesTarget(config: Extract<ScalingTargetConfig, { kind: 'kubernetes' }>): ScalingTarget {
  return {
    kind: 'kubernetes',
    async scale(pool, desired) {
      const deployment = config.deployments[pool];
      if (!deployment) throw new Error(`no Deployment is configured for pool ${pool} (HIVESYNC_K8S_DEPLOYMENTS)`);
      const token = (await fs.readFile(config.tokenFile, 'utf8')).trim();
      const ca = config.caFile ? await fs.readFile(config.caFile) : undefined;
      const url = new URL(
        `${config.apiUrl.replace(/\/+$/, '')}/apis/apps/v1/namespaces/${encodeURIComponent(config.namespace)}` +
          `/deployments/${encodeURIComponent(deployment)}/scale`,
      );
      const body = JSON.stringify({ spec: { replicas: desired } });
      const status = await new Promise<{ code: number; text: string }>((resolve, reject) => {
        const request = (url.protocol === 'https:' ? https : http).request(
          url,
          {
            method: 'PATCH',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/merge-patch+json',
              accept: 'application/json',
              'content-length': Buffer.byteLength(body),
            },
            timeout: config.timeoutMs,
            ...(ca && { ca }),
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => void (text.length < 4096 && (text += chunk)));
            res.on('end', () => resolve({ code: res.statusCode ?? 0, text }));
          },
        );
        request.on('timeout', () => request.destroy(new Error('the Kubernetes API did not answer in time')));
        request.on('error', reject);
        request.end(body);
      });
      if (status.code < 200 || status.code >= 300) {
        let message = status.text.slice(0, 300);
        try {
          message = String((JSON.parse(status.text) as { message?: unknown }).message ?? message);
        } catch {
          // not JSON: keep the text
        }
        throw new Error(`the Kubernetes API answered ${status.code}: ${message}`);
      }
    },
  };
}
