import { AsyncLocalStorage } from 'node:async_hooks';

/** One request to a language model and what came back, as sent and received (never the request's headers). */
export interface ModelExchange {
  model: string;
  system: string;
  user: string;
  /** The HTTP status, when an answer came. */
  status?: number;
  /** The raw response body. */
  response?: string;
  /** Why there was no answer (timeout, unreachable). */
  error?: string;
  at: string;
}

/** What one attempt of an AI job was given and got back, collected while it runs. */
export interface AiTranscript {
  files: { path: string; bytes: number }[];
  exchanges: ModelExchange[];
}

const current = new AsyncLocalStorage<AiTranscript>();

/** Runs `fn` with `transcript` collecting the model exchanges made inside it (concurrent jobs each get their own). */
export function withTranscript<T>(transcript: AiTranscript, fn: () => Promise<T>): Promise<T> {
  return current.run(transcript, fn);
}

/** Records the files the running job read (their paths and sizes; the contents are in the repository). */
export function recordFiles(files: ReadonlyMap<string, string>): void {
  const transcript = current.getStore();
  if (transcript) transcript.files = [...files].map(([path, text]) => ({ path, bytes: Buffer.byteLength(text) }));
}

/** Records a model exchange on the running job's transcript (nothing outside a job). */
export function recordExchange(exchange: ModelExchange): void {
  current.getStore()?.exchanges.push(exchange);
}

/** The tokens a job's model exchanges used, as the model service reported them (`usage` of the OpenAI API). */
export interface TokenUsage {
  promptTokens: number | null;
  completionTokens: number | null;
}

/**
 * Sums the `usage.prompt_tokens` and `usage.completion_tokens` the model service reported in each answer of the
 * transcript. A figure no answer reported stays null (the offline provider, or a server that does not count): the
 * analytics show "not reported", never a made-up zero.
 */
export function tokenUsage(transcript: AiTranscript): TokenUsage {
  let promptTokens: number | null = null;
  let completionTokens: number | null = null;
  for (const exchange of transcript.exchanges) {
    if (!exchange.response) continue;
    let usage: unknown;
    try {
      usage = (JSON.parse(exchange.response) as { usage?: unknown }).usage;
    } catch {
      continue;
    }
    if (typeof usage !== 'object' || usage === null) continue;
    const { prompt_tokens: prompt, completion_tokens: completion } = usage as Record<string, unknown>;
    if (Number.isSafeInteger(prompt) && (prompt as number) >= 0)
      promptTokens = (promptTokens ?? 0) + (prompt as number);
    if (Number.isSafeInteger(completion) && (completion as number) >= 0)
      completionTokens = (completionTokens ?? 0) + (completion as number);
  }
  return { promptTokens, completionTokens };
}

const REDACTED = '[redacted]';
// Credentials that may sit in code, prompts or answers: bearer tokens, OpenAI-style keys, JWTs (HiveSync's access
// tokens among them), HiveSync's refresh tokens and AWS access key ids.
const SECRET_PATTERNS: RegExp[] = [
  /\b(bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\bhsr_[A-Za-z0-9_-]{16,}/g,
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g,
];

/**
 * A log document as JSON with secrets taken out: every configured secret's value (the provider's API key…),
 * wherever it appears, and anything shaped like a credential.
 */
export function redactedJson(doc: unknown, secrets: readonly (string | undefined)[]): string {
  let text = JSON.stringify(doc, null, 2);
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) text = text.split(form).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) {
    text = text.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === 'string' && /^bearer/i.test(prefix) ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return text;
}
