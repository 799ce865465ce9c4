import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/lib/sse';

describe('server-sent events from a fetch body', () => {
  it('parses named events, skips comments and joins multi-line data', () => {
    const p = new SseParser();
    expect(p.push(': connected\n\nevent: run\ndata: {"a":1}\n\n: keep-alive\n\ndata: x\ndata: y\n\n')).toEqual([
      { event: 'run', data: '{"a":1}' },
      { event: 'message', data: 'x\ny' },
    ]);
  });

  it('keeps an event split across chunks until its blank line arrives', () => {
    const p = new SseParser();
    expect(p.push('event: hist')).toEqual([]);
    expect(p.push('ory\r\ndata: [1,')).toEqual([]);
    expect(p.push('2]\r\n\r\nevent: revoked\n')).toEqual([{ event: 'history', data: '[1,2]' }]);
    expect(p.push('data: {}\n\n')).toEqual([{ event: 'revoked', data: '{}' }]);
  });
});
