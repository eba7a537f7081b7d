/** One dispatched Server-Sent Event. */
export interface SseEvent {
  /** The `event:` field; `message` when the event named none. */
  type: string;
  /** The `data:` lines, joined by "\n". */
  data: string;
  /** The last event id the stream set (it carries over to later events that set none), or null. */
  id: string | null;
}

/**
 * An incremental parser of the `text/event-stream` format, as the HTML standard defines it: feed it decoded text
 * in chunks of any size (an event, a line or a CRLF may be split anywhere) and it returns the events completed so
 * far. Lines end in LF, CRLF or CR; a leading byte-order mark is dropped; comment lines (`: heartbeat`) and unknown
 * fields are ignored; an event without data is not dispatched, but its `id:` still counts.
 */
export class SseParser {
  /** The reconnection time the stream asked for with `retry:`, in milliseconds, if it did. */
  retryMs: number | undefined;
  /** The id of the last dispatched event (`id:` persists across events), or null. */
  lastEventId: string | null;
  private buffer = '';
  private started = false;
  // A chunk ended in CR: a LF at the start of the next one belongs to the same line break.
  private skipLf = false;
  private idBuffer: string | null;
  private data: string[] = [];
  private type = '';

  constructor(lastEventId: string | null = null) {
    this.lastEventId = lastEventId;
    this.idBuffer = lastEventId;
  }

  /** Parses the next chunk of text and returns the events it completed. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith('\ufeff')) text = text.slice(1);
    }
    if (this.skipLf && text.length > 0) {
      this.skipLf = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = nextLineBreak(this.buffer, start);
      if (end === -1) break;
      const event = this.line(this.buffer.slice(start, end));
      if (event) events.push(event);
      if (this.buffer[end] === '\r') {
        if (end + 1 === this.buffer.length) {
          this.skipLf = true;
          start = end + 1;
          break;
        }
        start = this.buffer[end + 1] === '\n' ? end + 2 : end + 1;
      } else {
        start = end + 1;
      }
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** Forgets a partial event, as a new connection must (the id and the retry time are kept). */
  reset(): void {
    this.buffer = '';
    this.started = false;
    this.skipLf = false;
    this.data = [];
    this.type = '';
    this.idBuffer = this.lastEventId;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        // An empty id clears it: the next connection then sends no Last-Event-ID.
        if (!value.includes('\0')) this.idBuffer = value === '' ? null : value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    this.lastEventId = this.idBuffer;
    const data = this.data;
    const type = this.type;
    this.data = [];
    this.type = '';
    if (data.length === 0) return undefined;
    return { type: type || 'message', data: data.join('\n'), id: this.lastEventId };
  }
}

function nextLineBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13) return i;
  }
  return -1;
}
