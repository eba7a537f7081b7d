import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalProvider } from '@hivesync/ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AiProviderError, OpenAiProvider } from './openai.provider.js';

/** What the fake does with the next request. */
type Answer =
  | { kind: 'text'; content: string }
  | { kind: 'status'; status: number; retryAfter?: number }
  | { kind: 'raw'; body: string }
  | { kind: 'stall' }
  | { kind: 'stall-body' };

/**
 * An OpenAI-compatible server on loopback speaking `POST /v1/chat/completions`: answers are queued per test, the
 * last one repeats, and every request is recorded.
 */
describe('OpenAiProvider against a loopback chat-completions server', () => {
  let server: http.Server;
  let baseUrl: string;
  let answers: Answer[] = [];
  const requests: { url?: string; auth?: string; body: { model: string; temperature: number; messages: unknown[] } }[] =
    [];
  const open = new Set<http.ServerResponse>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        requests.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(raw) });
        const answer = (answers.length > 1 ? answers.shift() : answers[0]) ?? { kind: 'status', status: 500 };
        switch (answer.kind) {
          case 'text':
            res.writeHead(200, { 'content-type': 'application/json' }).end(
              JSON.stringify({
                id: 'chatcmpl-1',
                object: 'chat.completion',
                choices: [{ index: 0, message: { role: 'assistant', content: answer.content }, finish_reason: 'stop' }],
              }),
            );
            break;
          case 'status':
            res
              .writeHead(answer.status, {
                'content-type': 'application/json',
                ...(answer.retryAfter !== undefined && { 'retry-after': String(answer.retryAfter) }),
              })
              .end('{"error":{"message":"nope"}}');
            break;
          case 'raw':
            res.writeHead(200, { 'content-type': 'application/json' }).end(answer.body);
            break;
          case 'stall':
            open.add(res);
            break;
          case 'stall-body':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.write('{"choices":[');
            open.add(res);
            break;
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterEach(() => {
    for (const res of open) res.destroy();
    open.clear();
    requests.length = 0;
    answers = [];
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const provider = (timeoutMs = 2000) =>
    new OpenAiProvider(new LocalProvider(), { baseUrl, apiKey: 'sk-loopback', model: 'qwen2.5-coder', timeoutMs });

  /** The provider's refusal: an `AiProviderError` (code `ai_provider_error`). */
  async function failure(promise: Promise<unknown>): Promise<AiProviderError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AiProviderError);
    expect((error as AiProviderError).code).toBe('ai_provider_error');
    return error as AiProviderError;
  }

  it('sends the model, the key and both messages, and returns the text', async () => {
    answers = [{ kind: 'text', content: '  Adds two numbers.\n' }];
    await expect(provider().complete('system text', 'user text')).resolves.toBe('Adds two numbers.');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      url: '/v1/chat/completions',
      auth: 'Bearer sk-loopback',
      body: {
        model: 'qwen2.5-coder',
        temperature: 0.2,
        messages: [
          { role: 'system', content: 'system text' },
          { role: 'user', content: 'user text' },
        ],
      },
    });
  });

  it('fails with ai_provider_error after 3 attempts when the server never answers in time', async () => {
    answers = [{ kind: 'stall' }];
    const error = await failure(provider(200).complete('s', 'u'));
    expect(error.message).toBe(
      'The model service failed: no answer within 200 ms (HIVESYNC_AI_TIMEOUT_MS) (after 3 attempts).',
    );
    expect(requests).toHaveLength(3);
  });

  it('counts a body that stalls after the headers as a timeout, and succeeds when a retry answers', async () => {
    answers = [{ kind: 'stall-body' }, { kind: 'text', content: 'Second time lucky.' }];
    await expect(provider(200).complete('s', 'u')).resolves.toBe('Second time lucky.');
    expect(requests).toHaveLength(2);
  });

  it('fails at once, saying so, when the body is not valid JSON', async () => {
    answers = [{ kind: 'raw', body: '<html><body>502 Bad Gateway</body></html>' }];
    const error = await failure(provider().complete('s', 'u'));
    expect(error.message).toBe(
      'The model service answered 200 with a body that is not valid JSON ("<html><body>502 Bad Gateway</body></html>"); is OPENAI_BASE_URL the API\'s base URL, ending in /v1?',
    );
    expect(requests).toHaveLength(1);
  });

  it('fails at once on valid JSON without a text, and on an empty body', async () => {
    answers = [{ kind: 'raw', body: '{"choices":[]}' }];
    expect((await failure(provider().complete('s', 'u'))).message).toBe(
      'The model service answered without any text (no choices[0].message.content).',
    );
    answers = [{ kind: 'raw', body: '' }];
    expect((await failure(provider().complete('s', 'u'))).message).toMatch(/not valid JSON \(empty\)/);
    expect(requests).toHaveLength(2);
  });

  it('retries 429 and 5xx (honouring Retry-After) and gives up after 3 attempts', async () => {
    answers = [
      { kind: 'status', status: 429, retryAfter: 0 },
      { kind: 'text', content: 'After a 429.' },
    ];
    await expect(provider().complete('s', 'u')).resolves.toBe('After a 429.');
    expect(requests).toHaveLength(2);
    requests.length = 0;
    answers = [{ kind: 'status', status: 503 }];
    const error = await failure(provider().complete('s', 'u'));
    expect(error.message).toBe('The model service failed: the model service answered 503 (after 3 attempts).');
    expect(requests).toHaveLength(3);
  });

  it('fails at once on another 4xx, naming the settings to check and never the key', async () => {
    answers = [{ kind: 'status', status: 401 }];
    const error = await failure(provider().complete('s', 'u'));
    expect(error.message).toBe(
      'the model service answered 401; check OPENAI_BASE_URL, OPENAI_API_KEY and HIVESYNC_AI_MODEL.',
    );
    expect(error.message).not.toContain('sk-loopback');
    expect(requests).toHaveLength(1);
  });

  it('fails with ai_provider_error when nothing listens at the base URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = new OpenAiProvider(new LocalProvider(), {
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: undefined,
      model: 'm',
      timeoutMs: 2000,
    });
    const error = await failure(unreachable.complete('s', 'u'));
    expect(error.message).toBe(
      `The model service failed: the model service at http://127.0.0.1:${port}/v1 could not be reached (after 3 attempts).`,
    );
  });

  it('documents a function with the model text in the frame the local analysis built', async () => {
    answers = [{ kind: 'text', content: 'Adds two numbers.\n\n@param a The first.\n@param b The second.' }];
    const files = new Map([
      ['src/math.ts', 'export function add(a: number, b: number): number {\n  return a + b;\n}\n'],
    ]);
    const edit = await provider().documentFunction(files, 'src/math.ts', { symbol: 'add' });
    expect(edit.after).toBe(
      '/**\n * Adds two numbers.\n *\n * @param a The first.\n * @param b The second.\n */\nexport function add(a: number, b: number): number {\n  return a + b;\n}\n',
    );
    expect(edit.description).toBe('Document function add in src/math.ts (text by qwen2.5-coder)');
  });
});
