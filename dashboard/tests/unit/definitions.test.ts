import { describe, expect, it } from 'vitest';
import { byStepMetric, definitionFor } from '../../src/lib/definitions';

const definitions = {
  'val/*': { summary: 'mean', stepMetric: 'epoch' },
  'val/acc': { summary: 'max', stepMetric: 'epoch' },
  'train/*': { summary: null, stepMetric: 'batch' },
  epoch: { summary: null, stepMetric: 'epoch' },
};

describe('metric definitions', () => {
  it('takes a key\'s own definition, else the longest matching prefix', () => {
    expect(definitionFor(definitions, 'val/acc')?.summary).toBe('max');
    expect(definitionFor(definitions, 'val/f1')?.summary).toBe('mean');
    expect(definitionFor(definitions, 'loss')).toBeNull();
    expect(definitionFor(undefined, 'loss')).toBeNull();
  });

  it('groups the metrics by the step metric they are charted against', () => {
    expect(byStepMetric(definitions, ['val/acc', 'val/f1', 'train/loss', 'loss', 'epoch'])).toEqual(new Map([
      ['epoch', ['val/acc', 'val/f1']],
      ['batch', ['train/loss']],
    ]));
  });
});
