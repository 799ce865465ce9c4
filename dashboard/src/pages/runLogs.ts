// A run's console output: the last lines, then each new batch as the run writes them (server-sent
// events, resumed from the next line after a reconnect). Kept to MAX_SHOWN lines in the page;
// scrolled to the end while the reader is there, left alone when they scroll up to read.

import { api, logEventsUrl, type LogLine, type LogsPage } from '../api';
import { errorBox } from '../app';
import { h, mount } from '../dom';
import { formatNumber } from '../lib/values';
import { LiveFeed } from '../live';

const TAIL = 5000;
const MAX_SHOWN = 20000;

export class RunLogs {
  readonly el = h('section', { class: 'run-logs', 'data-testid': 'run-logs' });
  private readonly status = h('div', { class: 'muted small logs-status' });
  private readonly box = h('pre', { class: 'logs', tabindex: '0', 'aria-label': 'Console output' });
  private next = 0;
  private shown = 0;
  private total = 0;
  private limitReached = false;
  private live: LiveFeed | null = null;
  private started = false;

  constructor(readonly project: string, readonly runId: string) {
    mount(this.el, this.status, this.box);
  }

  /** Loads the last lines and follows; called when the tab is first opened. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    let page: LogsPage;
    try {
      page = await api.logs(this.project, this.runId, { tail: TAIL });
    } catch (e) {
      mount(this.el, errorBox(e));
      return;
    }
    if (page.lines.length && page.lines[0].line > 0) this.box.append(h('div', { class: 'muted' }, `… ${formatNumber(page.lines[0].line)} earlier lines not shown`));
    this.add(page.lines, page);
    this.live = new LiveFeed({
      url: () => logEventsUrl(this.project, this.runId, this.next),
      events: { lines: (lines) => this.add(lines as LogLine[]) },
      poll: () => this.poll(),
    }).start();
  }

  stop(): void {
    this.live?.stop();
  }

  private async poll(): Promise<void> {
    try {
      const page = await api.logs(this.project, this.runId, { from: this.next, limit: 5000 });
      this.add(page.lines, page);
    } catch { /* keep polling */ }
  }

  private add(lines: LogLine[], page?: LogsPage): void {
    if (page) {
      this.total = page.total;
      this.limitReached = page.limitReached;
    }
    const fresh = lines.filter((l) => l.line >= this.next);
    if (fresh.length) {
      const atEnd = this.box.scrollHeight - this.box.scrollTop - this.box.clientHeight < 24;
      this.box.append(...fresh.map((l) => h('div', {
        class: `log-line${l.stream === 'stderr' ? ' log-stderr' : ''}`, 'data-line': l.line, title: new Date(l.time).toLocaleString(),
      }, l.text || '\u00a0')));
      this.next = fresh[fresh.length - 1].line + 1;
      this.total = Math.max(this.total, this.next);
      this.shown += fresh.length;
      while (this.shown > MAX_SHOWN && this.box.firstChild) {
        this.box.firstChild.remove();
        this.shown--;
      }
      if (atEnd) this.box.scrollTop = this.box.scrollHeight;
    }
    this.status.textContent = this.total
      ? `${formatNumber(this.total)} lines${this.limitReached ? ' (the run reached its limit; later output was not kept)' : ''}`
      : 'No console output recorded.';
  }
}
