import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './index.js';

/** Feeds `chunks` to a new parser and returns every event and the parser. */
function parse(chunks: string[], lastEventId: string | null = null): { events: SseEvent[]; parser: SseParser } {
  const parser = new SseParser(lastEventId);
  const events = chunks.flatMap((c) => parser.push(c));
  return { events, parser };
}

const STREAM = [
  'retry: 3000',
  '',
  ': heartbeat',
  '',
  'id: 7',
  'event: notification',
  'data: {"a":1,',
  'data: "b":"x y"}',
  '',
  'data: plain message',
  '',
  '',
].join('\n');

const EXPECTED: SseEvent[] = [
  { type: 'notification', data: '{"a":1,\n"b":"x y"}', id: '7' },
  // The id carries over to an event that sets none.
  { type: 'message', data: 'plain message', id: '7' },
];

describe('SseParser', () => {
  it('parses events, joins multi-line data with \\n, skips comments, and reads retry', () => {
    const { events, parser } = parse([STREAM]);
    expect(events).toEqual(EXPECTED);
    expect(parser.retryMs).toBe(3000);
    expect(parser.lastEventId).toBe('7');
  });

  it('gives the same events however the text is split, with LF, CRLF or CR line ends', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = STREAM.replaceAll('\n', eol);
      for (let cut = 0; cut <= text.length; cut++) {
        const { events } = parse([text.slice(0, cut), text.slice(cut)]);
        expect(events, `${JSON.stringify(eol)} cut at ${cut}`).toEqual(EXPECTED);
      }
      // One character at a time: a CRLF is always split.
      expect(parse([...text]).events).toEqual(EXPECTED);
    }
  });

  it('does not take a CR at the end of a chunk and a LF starting the next for two line breaks', () => {
    const { events } = parse(['data: a\r', '\ndata: b\r', '\n', '\r\n']);
    expect(events).toEqual([{ type: 'message', data: 'a\nb', id: null }]);
  });

  it('holds an unfinished event until its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('id: 1\nevent: notification\ndata: {}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ type: 'notification', data: '{}', id: '1' }]);
  });

  it('follows the field rules: one leading space dropped, no colon means an empty value, unknown fields ignored', () => {
    const { events } = parse(['data:no space\ndata:  two spaces\ndata\nfoo: bar\nevent\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'no space\n two spaces\n', id: null }]);
  });

  it('keeps an id sent without data, clears it with an empty id, and ignores an id with NUL', () => {
    const parser = new SseParser('3');
    expect(parser.push('id: 4\n\n')).toEqual([]);
    expect(parser.lastEventId).toBe('4');
    parser.push('id: 5\0\ndata: x\n\n');
    expect(parser.lastEventId).toBe('4');
    parser.push('id\ndata: y\n\n');
    expect(parser.lastEventId).toBeNull();
  });

  it('ignores a retry that is not all digits, and drops a leading byte-order mark', () => {
    const { events, parser } = parse(['\ufeffretry: 1e3\nretry: -5\ndata: x\n\n']);
    expect(parser.retryMs).toBeUndefined();
    expect(events).toEqual([{ type: 'message', data: 'x', id: null }]);
  });

  it('reset() forgets a partial event but keeps the last id and the retry time', () => {
    const parser = new SseParser();
    parser.push('retry: 50\nid: 9\ndata: done\n\nid: 10\ndata: half');
    parser.reset();
    expect(parser.push('data: fresh\n\n')).toEqual([{ type: 'message', data: 'fresh', id: '9' }]);
    expect(parser.retryMs).toBe(50);
  });
});
