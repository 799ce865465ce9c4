import { describe, expect, it } from 'vitest';
import { lineageMarks } from '../../src/lib/lineageMarks';

const fork = { runId: 'parent-id', step: 49 };

describe('lineage marks', () => {
  it('marks the fork step with a line named after the parent and shades the parent\'s part', () => {
    expect(lineageMarks({ xKey: '_step', forkedFrom: fork, parentName: 'parent', rewinds: [] })).toEqual([
      { kind: 'span', to: 49, label: 'from parent' },
      { kind: 'line', x: 49, label: 'forked from parent', dashed: false },
    ]);
  });
  it('names the parent by its id until its name is known (or when it has none)', () => {
    for (const parentName of [undefined, null, '']) {
      const line = lineageMarks({ xKey: '_step', forkedFrom: fork, parentName, rewinds: [] }).find((m) => m.kind === 'line');
      expect(line).toMatchObject({ label: 'forked from parent-id' });
    }
  });
  it('marks a fork at step 0 (a falsy step is still a step)', () => {
    const marks = lineageMarks({ xKey: '_step', forkedFrom: { runId: 'p', step: 0 }, rewinds: [] });
    expect(marks.map((m) => m.kind)).toEqual(['span', 'line']);
    expect(marks[1]).toMatchObject({ x: 0 });
  });
  it('draws nothing on an x axis other than the step', () => {
    for (const xKey of ['_timestamp', '_runtime', 'epoch']) {
      expect(lineageMarks({ xKey, forkedFrom: fork, parentName: 'parent', rewinds: [{ step: 10, at: '2026-01-01T00:00:00Z' }] })).toEqual([]);
    }
  });
  it('draws nothing for a run neither forked nor rewound', () => {
    expect(lineageMarks({ xKey: '_step', forkedFrom: null, rewinds: [] })).toEqual([]);
    expect(lineageMarks({ xKey: '_step', forkedFrom: undefined, rewinds: undefined })).toEqual([]);
  });
  it('marks each step rewound to once, dashed, in step order, after the fork', () => {
    const marks = lineageMarks({
      xKey: '_step', forkedFrom: fork, parentName: 'parent', rewinds: [
        { step: 80, at: '2026-01-01T00:00:00Z' },
        { step: 60, at: '2026-01-01T01:00:00Z' },
        { step: 80, at: '2026-01-01T02:00:00Z' },
      ],
    });
    expect(marks.slice(2)).toEqual([
      { kind: 'line', x: 60, label: 'rewound to 60', dashed: true },
      { kind: 'line', x: 80, label: 'rewound to 80', dashed: true },
    ]);
  });
  it('marks rewinds of a run that was not forked, with no span', () => {
    const marks = lineageMarks({ xKey: '_step', forkedFrom: null, rewinds: [{ step: 5, at: '2026-01-01T00:00:00Z' }] });
    expect(marks).toEqual([{ kind: 'line', x: 5, label: 'rewound to 5', dashed: true }]);
  });
  it('leaves out steps that are not numbers', () => {
    const marks = lineageMarks({
      xKey: '_step', forkedFrom: { runId: 'p', step: Number.NaN }, rewinds: [{ step: null as unknown as number, at: '' }],
    });
    expect(marks).toEqual([]);
  });
});
