import type {
  CompletePreviewBody,
  CreatePreviewBody,
  Preview,
  PreviewBuild,
  PreviewBuildCapabilities,
  PreviewFilesAnswer,
  PreviewFilesBody,
  PreviewCreated,
  PreviewList,
  ResolvedPreview,
  ResolvePreviewBody,
} from '@hivesync/core';
import { errorFromResponse, HiveSyncError } from './errors.js';
import type { RequestOptions, Transport } from './transport.js';

/** Paging of `previews.list`. */
export interface ListPreviewsParams {
  /** Previews per page: 1 to 100, 50 by default. */
  limit?: number;
  /** The `next_cursor` of the previous page. */
  cursor?: string;
}

const previewPath = (id: string) => `/previews/${encodeURIComponent(id)}`;

/**
 * /previews: device previews. Publishing one is `create` (with the bundle's sha256 and size), then `upload` the bytes
 * unless `upload_required` is false (the project already holds that bundle), then `complete`. A phone or a browser
 * turns the code or token into the bundle with `resolve` (public) and `download`.
 */
export class PreviewsApi {
  constructor(private readonly transport: Transport) {}

  /** Starts a preview (member role): its token, its short code, and where to upload the bundle. */
  create(body: CreatePreviewBody, opts?: RequestOptions): Promise<PreviewCreated> {
    return this.transport.json<PreviewCreated>({ method: 'POST', path: '/previews', body }, opts);
  }

  /**
   * PUTs the bundle to the presigned `upload.url` with exactly `upload.headers`: never the access token, which the
   * storage server must not see. A refusal throws the envelope's code when the answer has one, else `upload_failed`
   * (a storage server's own error, such as an expired signature).
   */
  async upload(created: Pick<PreviewCreated, 'upload'>, bytes: Uint8Array, opts: RequestOptions = {}): Promise<void> {
    const { method, url, headers } = created.upload;
    const res = await this.transport.fetchUrl(url, { method, headers, body: bytes }, opts);
    const text = await res.text();
    if (!res.ok) {
      throw errorFromResponse(res.status, res.headers, text, {
        code: 'upload_failed',
        message: `The upload of the bundle failed: HTTP ${res.status}${storageCode(text)}.`,
      });
    }
  }

  /** Marks the preview ready once the uploaded object matches `sha256` and `size`. */
  complete(previewId: string, body: CompletePreviewBody, opts?: RequestOptions): Promise<Preview> {
    return this.transport.json<Preview>({ method: 'POST', path: `${previewPath(previewId)}/complete`, body }, opts);
  }

  /** Whether the server builds previews (a live worker with a sandbox), and the limits of one build. */
  builders(opts?: RequestOptions): Promise<PreviewBuildCapabilities> {
    return this.transport.json<PreviewBuildCapabilities>({ method: 'GET', path: '/previews/builders' }, opts);
  }

  /**
   * A server-side build, step 1: the tree as `{path, sha256, size}` (member role). Answers the blobs the project
   * lacks (`missing`) and a presigned upload for each (`uploads[sha256]`); 413 over the server's limits, 400 for a
   * path that leaves the tree, an absolute one or a symlink.
   */
  files(previewId: string, body: PreviewFilesBody, opts?: RequestOptions): Promise<PreviewFilesAnswer> {
    return this.transport.json<PreviewFilesAnswer>(
      { method: 'POST', path: `${previewPath(previewId)}/files`, body },
      opts,
    );
  }

  /** Step 2: PUTs one blob to its presigned upload (no access token is sent). */
  async uploadBlob(
    upload: PreviewFilesAnswer['uploads'][string],
    bytes: Uint8Array,
    opts: RequestOptions = {},
  ): Promise<void> {
    const res = await this.transport.fetchUrl(
      upload.url,
      { method: upload.method, headers: upload.headers, body: bytes },
      opts,
    );
    const text = await res.text();
    if (!res.ok) {
      throw errorFromResponse(res.status, res.headers, text, {
        code: 'upload_failed',
        message: `The upload of a file failed: HTTP ${res.status}${storageCode(text)}.`,
      });
    }
  }

  /** Step 3: starts the build once every blob is uploaded (400 when an upload's bytes do not match its hash). */
  build(previewId: string, opts?: RequestOptions): Promise<PreviewBuild> {
    return this.transport.json<PreviewBuild>({ method: 'POST', path: `${previewPath(previewId)}/build` }, opts);
  }

  /** Where a preview's server-side build is: its stage, and the bundler's error with file and line when it failed. */
  getBuild(previewId: string, opts?: RequestOptions): Promise<PreviewBuild> {
    return this.transport.json<PreviewBuild>({ method: 'GET', path: `${previewPath(previewId)}/build` }, opts);
  }

  /** One preview. */
  get(previewId: string, opts?: RequestOptions): Promise<Preview> {
    return this.transport.json<Preview>({ method: 'GET', path: previewPath(previewId) }, opts);
  }

  /**
   * A page of a project's previews, newest first: `limit` per page (50 by default, at most 100), from `cursor` (the
   * previous page's `next_cursor`) when given. Each has its `code` for members and above, null for viewers.
   */
  list(projectId: string, params: ListPreviewsParams = {}, opts?: RequestOptions): Promise<PreviewList> {
    return this.transport.json<PreviewList>(
      { method: 'GET', path: '/previews', query: { project_id: projectId, ...params } },
      opts,
    );
  }

  /**
   * Turns a code or a token into the bundle's download URL (public: no login needed, no token sent). Each resolves
   * once: again answers 410 `preview_token_consumed`; after `expires_at`, 410 `preview_token_expired`; an unknown or
   * forged one 404 `not_found`. With `platform` (the platform this client runs), a preview made for another platform
   * answers 409 `preview_platform_mismatch` and stays unused.
   */
  resolve(body: ResolvePreviewBody, opts?: RequestOptions): Promise<ResolvedPreview> {
    return this.transport.json<ResolvedPreview>({ method: 'POST', path: '/previews/resolve', body, auth: false }, opts);
  }

  /**
   * Downloads a resolved preview's bundle from its presigned `download_url` and checks it: bytes whose size or
   * SHA-256 differ from the resolved ones throw `integrity_error`. A refusal throws the envelope's code when the
   * answer has one, else `download_failed`.
   */
  async download(
    resolved: Pick<ResolvedPreview, 'download_url' | 'sha256' | 'size'>,
    opts: RequestOptions = {},
  ): Promise<Buffer> {
    const res = await this.transport.fetchUrl(resolved.download_url, { method: 'GET' }, opts);
    if (!res.ok) {
      const text = await res.text();
      throw errorFromResponse(res.status, res.headers, text, {
        code: 'download_failed',
        message: `The download of the bundle failed: HTTP ${res.status}${storageCode(text)}.`,
      });
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const sha256 = await sha256Hex(bytes);
    if (bytes.length !== resolved.size || sha256 !== resolved.sha256.toLowerCase()) {
      throw new HiveSyncError({
        code: 'integrity_error',
        message: `The downloaded bundle is not the one the preview names: got ${bytes.length} bytes with SHA-256 ${sha256}, expected ${resolved.size} bytes with SHA-256 ${resolved.sha256}.`,
        status: res.status,
        requestId: res.headers.get('x-request-id') ?? undefined,
        retryable: true,
        details: {
          expected_sha256: resolved.sha256,
          actual_sha256: sha256,
          expected_size: resolved.size,
          actual_size: bytes.length,
        },
      });
    }
    return bytes;
  }
}

/**
 * The page a phone or a browser opens to run a preview, and what its QR code encodes: `<server>/p/<CODE>` (the server's
 * viewer). `server` is the server's base URL or the web app's origin; a trailing slash is ignored.
 */
export function viewerUrl(server: string, code: string): string {
  return `${server.replace(/\/+$/, '')}/p/${encodeURIComponent(code)}`;
}

// WebCrypto rather than node:crypto, so that importing the SDK stays free of Node built-ins.
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `: SignatureDoesNotMatch` from an S3-style XML error body, else ''. */
function storageCode(text: string): string {
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
  return code ? `: ${code}` : '';
}
