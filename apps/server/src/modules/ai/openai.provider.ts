import type { AiProvider, DocTarget, Edit, FileSet, FileSummary, ProjectOptions } from '@hivesync/ai';
import { recordExchange } from './ai-log.js';

/** A failure of the model service, recorded on the job as `ai_provider_error`. */
export class AiProviderError extends Error {
  readonly code = 'ai_provider_error';
}

/** Settings of an OpenAI-compatible chat-completions API. */
export interface OpenAiSettings {
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  timeoutMs: number;
}

const RETRIES = 3;

/**
 * Any OpenAI-compatible chat-completions API (OpenAI, DeepSeek, Ollama, vLLM, LM Studio). The model writes only
 * text; where the text goes, and the patch, are built by the local analysis, so a patch always applies.
 * Renames stay semantic (local): a language model does not rename symbols.
 */
export class OpenAiProvider implements AiProvider {
  readonly name = 'openai';

  constructor(
    private readonly local: AiProvider,
    private readonly settings: OpenAiSettings,
  ) {}

  /**
   * One chat completion. A timeout (no complete answer within `timeoutMs`, body included), a network error, 429 or
   * 5xx is retried, up to 3 attempts with backoff (honouring Retry-After); any other status, a body that is not JSON
   * and an answer without text fail at once: asking again would not change them.
   */
  async complete(system: string, user: string): Promise<string> {
    let lastError = 'no answer';
    const exchange = { model: this.settings.model, system, user };
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 4000)));
      let res: Response;
      let raw: string;
      try {
        res = await fetch(`${this.settings.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(this.settings.apiKey && { authorization: `Bearer ${this.settings.apiKey}` }),
          },
          body: JSON.stringify({
            model: this.settings.model,
            temperature: 0.2,
            messages: [
              { role: 'system', content: system },
              { role: 'user', content: user },
            ],
          }),
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
        // The timeout covers the body too: a server that sends headers and then stalls is a timeout.
        raw = await res.text();
      } catch (err) {
        lastError =
          (err as Error).name === 'TimeoutError'
            ? `no answer within ${this.settings.timeoutMs} ms (HIVESYNC_AI_TIMEOUT_MS)`
            : `the model service at ${this.settings.baseUrl} could not be reached`;
        recordExchange({ ...exchange, error: lastError, at: new Date().toISOString() });
        continue;
      }
      // The job's log keeps what was asked and the raw answer (never the request's headers, which hold the key).
      recordExchange({ ...exchange, status: res.status, response: raw, at: new Date().toISOString() });
      if (res.ok) return completionText(raw);
      lastError = `the model service answered ${res.status}`;
      if (res.status !== 429 && res.status < 500)
        throw new AiProviderError(`${lastError}; check OPENAI_BASE_URL, OPENAI_API_KEY and HIVESYNC_AI_MODEL.`);
      const retryAfter = Number(res.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0)
        await new Promise((r) => setTimeout(r, Math.min(retryAfter * 1000, 10_000)));
    }
    throw new AiProviderError(`The model service failed: ${lastError} (after ${RETRIES} attempts).`);
  }

  nothingToDocument(files: FileSet, path: string, target?: DocTarget): Promise<string | undefined> {
    return this.local.nothingToDocument(files, path, target);
  }

  async documentFunction(files: FileSet, path: string, target: DocTarget, options?: ProjectOptions): Promise<Edit> {
    // The local analysis finds the function and writes a comment in the file's convention; the model rewrites its text.
    const scaffold = await this.local.documentFunction(files, path, target, options);
    const block = insertedBlock(scaffold);
    if (!block) return scaffold;
    const source = scaffold.after
      .split('\n')
      .slice(block.end, block.end + 60)
      .join('\n');
    const text = await this.complete(
      'You write documentation comments for source code. Answer with the comment text only: no comment markers, no code fences. Describe what the function does, its parameters, what it returns and what it throws, in the conventions of its language.',
      `File ${path}. Document the declaration that starts here:\n\n${source}\n\nA draft from static analysis: its types and facts are derived from the code, keep them; write the text where it says TODO:\n${stripMarkers(block.lines).join('\n')}`,
    );
    return {
      ...scaffold,
      after: replaceBlock(scaffold.after, block, restyle(block.lines, text)),
      description: `${scaffold.description} (text by ${this.settings.model})`,
    };
  }

  documentFile(files: FileSet, path: string, options?: ProjectOptions): Promise<Edit> {
    return this.local.documentFile(files, path, options);
  }

  async summarizeFile(files: FileSet, path: string, options?: ProjectOptions): Promise<FileSummary> {
    const local = await this.local.summarizeFile(files, path, options);
    const summary = await this.complete(
      'You summarize source files for developers: one short paragraph on what the file provides and how it is used. No code fences.',
      `File ${path}, exporting:\n${local.exports.map((e) => `- ${e.kind} ${e.signature}`).join('\n')}\n\n${(files.get(path) ?? '').slice(0, 20_000)}`,
    );
    return { ...local, summary };
  }

  renameSymbol(
    files: FileSet,
    path: string,
    line: number,
    symbolName: string,
    newName: string,
    options?: Pick<ProjectOptions, 'tsconfig'>,
  ): Promise<Edit[]> {
    return this.local.renameSymbol(files, path, line, symbolName, newName, options);
  }

  /**
   * Explains a thread's lines: the local analysis reads the facts off the code (name, parameters, calls, returns),
   * and the model writes the explanation from the code and those facts.
   */
  async explain(files: FileSet, path: string, startLine: number, endLine: number): Promise<string> {
    const { explainLines } = await import('@hivesync/ai');
    const facts = await explainLines(files, path, startLine, endLine);
    const lines = (files.get(path) ?? '').split('\n');
    const from = Math.max(1, (facts.declaration?.line ?? startLine) - 5);
    const code = lines.slice(from - 1, Math.max(endLine, from + 80)).join('\n');
    const text = await this.complete(
      'You explain code to a developer who asked about some lines in a code review thread. Be concrete and short: what the code does, how, and anything surprising. Only say what the code shows; if something cannot be known from it, say so. Markdown, no headings.',
      `File ${path}, lines ${startLine}-${endLine} (the code below starts at line ${from}):\n\n${code}\n\nFacts from static analysis of the code:\n${facts.text}`,
    );
    return `${text}\n\n_Written by ${this.settings.model} from the code; check it against the code._`;
  }

  /** Free-form refactor: the model returns the new content of the files it changes; only existing files may change. */
  async refactor(files: FileSet, focus: string[], instructions: string, context: string): Promise<Edit[]> {
    const answer = await this.complete(
      'You refactor code. Answer with JSON only: {"files":[{"path":"…","content":"…the whole new file…"}],"description":"…"} listing only files you change, with paths exactly as given.',
      `Instructions: ${instructions}\n\nFiles you may change: ${focus.join(', ')}\n\n${context}`,
    );
    let parsed: { files?: { path?: unknown; content?: unknown }[]; description?: unknown };
    try {
      parsed = JSON.parse(answer.replace(/^```(?:json)?\s*|\s*```$/g, '')) as typeof parsed;
    } catch {
      throw new AiProviderError('The model did not answer with the JSON asked for.');
    }
    const edits: Edit[] = [];
    for (const f of parsed.files ?? []) {
      if (typeof f.path !== 'string' || typeof f.content !== 'string') continue;
      const before = files.get(f.path);
      if (before === undefined || !focus.includes(f.path))
        throw new AiProviderError(`The model changed a file it was not given: ${f.path}.`);
      if (before !== f.content)
        edits.push({ path: f.path, before, after: f.content, description: String(parsed.description ?? instructions) });
    }
    if (edits.length === 0) throw new AiProviderError('The model proposed no change.');
    return edits;
  }
}

/** The text of a chat-completions answer, or an `AiProviderError` that says what was wrong with it. */
function completionText(raw: string): string {
  let body: { choices?: { message?: { content?: unknown } }[] };
  try {
    body = JSON.parse(raw) as typeof body;
  } catch {
    const shown = raw.replace(/\s+/g, ' ').trim().slice(0, 80);
    throw new AiProviderError(
      `The model service answered 200 with a body that is not valid JSON (${shown ? `"${shown}"` : 'empty'}); is OPENAI_BASE_URL the API's base URL, ending in /v1?`,
    );
  }
  const text = body?.choices?.[0]?.message?.content;
  if (typeof text === 'string' && text.trim()) return text.trim();
  throw new AiProviderError('The model service answered without any text (no choices[0].message.content).');
}

interface Block {
  start: number;
  end: number;
  lines: string[];
}

/** The lines the scaffold inserted (one contiguous run). */
function insertedBlock(edit: Edit): Block | undefined {
  const a = edit.before.split('\n');
  const b = edit.after.split('\n');
  let start = 0;
  while (start < a.length && a[start] === b[start]) start++;
  const added = b.length - a.length;
  if (added <= 0) return undefined;
  return { start, end: start + added, lines: b.slice(start, start + added) };
}

function stripMarkers(lines: string[]): string[] {
  return lines.map((l) => l.replace(/^\s*(\/\*\*|\*\/|\*|\/\/|"""|''')\s?/, '').replace(/("""|''')\s*$/, ''));
}

/** The model's text in the frame of the scaffold's block (same indentation, markers and closing). */
function restyle(block: string[], text: string): string[] {
  const first = block[0]!;
  const indent = /^\s*/.exec(first)![0];
  const body = text.replace(/\r/g, '').split('\n');
  if (first.trim().startsWith('/**'))
    return [`${indent}/**`, ...body.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
  if (first.trim().startsWith('//')) return body.map((l) => (l ? `${indent}// ${l}` : `${indent}//`));
  const quote = first.trim().startsWith("'''") ? "'''" : '"""';
  if (body.length === 1) return [`${indent}${quote}${body[0]}${quote}`];
  return [`${indent}${quote}${body[0]}`, ...body.slice(1).map((l) => (l ? `${indent}${l}` : '')), `${indent}${quote}`];
}

function replaceBlock(after: string, block: Block, lines: string[]): string {
  const all = after.split('\n');
  all.splice(block.start, block.end - block.start, ...lines);
  return all.join('\n');
}
