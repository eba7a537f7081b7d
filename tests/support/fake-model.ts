import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback stand-in for an OpenAI-compatible chat-completions API, answering when the test lets it. */
export interface FakeModel {
  /** The base URL to set as OPENAI_BASE_URL. */
  url: string;
  /** How many requests have arrived so far. */
  requests(): number;
  close(): void;
}

/**
 * Starts a fake model that answers every request with the same text. `reply` decides when: it is given the
 * function that sends the answer and may call it at once, later, or keep it (to hold a job mid-run).
 */
export async function startFakeModel(reply: (answer: () => void) => void = (answer) => answer()): Promise<FakeModel> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      reply(() =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ choices: [{ message: { content: 'Greets people by name.' } }] })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests: () => requests,
    close: () => void server.close(),
  };
}
