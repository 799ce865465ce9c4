// Live updates: a server-sent event stream, and polling while the stream is unavailable (a
// server without it, or a connection that is down). After a reconnect the page polls once to
// catch what it missed. The stream is read with fetch, so the key goes in a header, never the URL.

import { authHeaders } from './api';
import { SseParser } from './lib/sse';

export type LiveStatus = 'connecting' | 'live' | 'polling' | 'off';

export interface LiveOptions {
  url: () => string;
  events: Record<string, (data: unknown) => void>;
  /** refreshes from the API; used while the stream is down and after it comes back */
  poll: () => Promise<void> | void;
  pollMs?: number;
  /** wait before trying a refused stream (401, 404, not an event stream) again */
  retryMs?: number;
  /** wait before reconnecting a stream that dropped */
  reconnectMs?: number;
}

const listeners = new Set<(s: LiveStatus) => void>();
let current: LiveStatus = 'off';

export function liveStatus(): LiveStatus {
  return current;
}

export function onLiveStatus(fn: (s: LiveStatus) => void): () => void {
  listeners.add(fn);
  fn(current);
  return () => listeners.delete(fn);
}

function setStatus(s: LiveStatus) {
  current = s;
  for (const fn of listeners) fn(s);
}

export class LiveFeed {
  private abort: AbortController | null = null;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private opened = false;
  private stopped = false;

  constructor(private readonly o: LiveOptions) {}

  start(): this {
    void this.connect();
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.abort = null;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    setStatus('off');
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    setStatus(this.opened ? 'connecting' : current === 'polling' ? 'polling' : 'connecting');
    const abort = new AbortController();
    this.abort = abort;
    let res: Response;
    try {
      res = await fetch(this.o.url(), { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal: abort.signal, cache: 'no-store' });
    } catch {
      // Unreachable for now: keep the page fresh by polling and try again soon.
      this.retry(this.o.reconnectMs ?? 3000);
      return;
    }
    if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      // Refused (401, 404, no such route): poll, and try the stream again later.
      abort.abort();
      this.retry(this.o.retryMs ?? 30000);
      return;
    }
    const wasDown = this.opened || this.pollTimer !== undefined;
    this.opened = true;
    this.stopPolling();
    setStatus('live');
    if (wasDown) void this.o.poll();
    await this.read(res.body, abort.signal);
    // The stream ended (a dropped connection, a restart, a revoked key): poll until it is back.
    this.retry(this.o.reconnectMs ?? 3000);
  }

  private async read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      while (!signal.aborted) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const ev of parser.push(decoder.decode(value, { stream: true }))) this.dispatch(ev.event, ev.data);
      }
    } catch {
      // The connection dropped (or the feed was stopped).
    } finally {
      reader.releaseLock();
    }
  }

  private dispatch(name: string, data: string): void {
    // The server may have missed changes (a lost database connection): reload what is shown.
    if (name === 'resync') {
      void this.o.poll();
      return;
    }
    const handler = this.o.events[name];
    if (!handler) return;
    try {
      handler(JSON.parse(data));
    } catch (err) {
      console.warn(`live event '${name}' not understood`, err);
    }
  }

  private retry(ms: number): void {
    if (this.stopped) return;
    this.abort = null;
    this.startPolling();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), ms);
  }

  private startPolling(): void {
    setStatus('polling');
    if (this.pollTimer !== undefined) return;
    this.pollTimer = setInterval(() => void this.o.poll(), this.o.pollMs ?? 5000);
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}
