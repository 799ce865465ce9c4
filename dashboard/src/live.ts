// Live updates: a server-sent event stream, and polling while the stream is unavailable (a
// server without it, or a dropped connection the browser has given up on). After a reconnect
// the page polls once to catch what it missed.

export type LiveStatus = 'connecting' | 'live' | 'polling' | 'off';

export interface LiveOptions {
  url: () => string;
  events: Record<string, (data: unknown) => void>;
  /** refreshes from the API; used while the stream is down and after it comes back */
  poll: () => Promise<void> | void;
  pollMs?: number;
  retryMs?: number;
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
  private source: EventSource | null = null;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private opened = false;
  private stopped = false;

  constructor(private readonly o: LiveOptions) {}

  start(): this {
    this.connect();
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = null;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    setStatus('off');
  }

  private connect(): void {
    if (this.stopped) return;
    setStatus(this.opened ? 'connecting' : current === 'polling' ? 'polling' : 'connecting');
    const es = new EventSource(this.o.url());
    this.source = es;
    es.addEventListener('open', () => {
      if (this.stopped) return;
      const wasDown = this.opened || this.pollTimer !== undefined;
      this.opened = true;
      this.stopPolling();
      setStatus('live');
      if (wasDown) void this.o.poll();
    });
    // The server may have missed changes (a lost database connection): reload what is shown.
    es.addEventListener('resync', () => void this.o.poll());
    for (const [name, handler] of Object.entries(this.o.events)) {
      es.addEventListener(name, (ev) => {
        try {
          handler(JSON.parse((ev as MessageEvent).data));
        } catch (err) {
          console.warn(`live event '${name}' not understood`, err);
        }
      });
    }
    es.addEventListener('error', () => {
      if (this.stopped) return;
      if (es.readyState === EventSource.CLOSED) {
        // Refused (not an event stream, 401, 404): poll, and try the stream again later.
        es.close();
        this.source = null;
        this.startPolling();
        this.retryTimer = setTimeout(() => this.connect(), this.o.retryMs ?? 30000);
      } else {
        setStatus('connecting');
      }
    });
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
