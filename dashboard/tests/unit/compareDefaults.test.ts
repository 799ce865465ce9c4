import { describe, expect, it } from 'vitest';
import { defaultAxes, defaultMetric, wantsLog } from '../../src/lib/compareDefaults';

const runs = Array.from({ length: 12 }, (_, i) => ({
  config: { lr: 10 ** -(1 + (i % 4)), batch: 32 * (1 + (i % 2)), optimizer: i % 3 ? 'adam' : 'sgd', dataset: 'cats', seed: 1000 + i, model: { depth: 2 + (i % 3) } },
  summary: { loss: 1 / (i + 1), 'val/acc': 0.5 + i / 100, constant: 1, ...(i < 3 ? { rare: i } : {}), 'system/cpu': i },
}));

describe('defaultMetric', () => {
  it('prefers a varying validation metric over others, and never a constant', () => {
    expect(defaultMetric(runs, ['constant', 'loss', 'val/acc', 'rare', 'system/cpu'])).toBe('val/acc');
    expect(defaultMetric(runs, ['constant', 'loss'])).toBe('loss');
    expect(defaultMetric(runs, ['constant'])).toBe('constant');
    expect(defaultMetric(runs, ['system/cpu'])).toBe('');
    expect(defaultMetric([], ['loss'])).toBe('');
  });
  it('recognises eval and test names but not words that contain them', () => {
    expect(defaultMetric(runs.map((r) => ({ ...r, summary: { ...r.summary, eval_loss: r.summary.loss } })), ['loss', 'eval_loss'])).toBe('eval_loss');
    expect(defaultMetric(runs.map((r) => ({ ...r, summary: { interval: r.summary.loss, loss: r.summary.loss } })), ['interval', 'loss'])).toBe('interval');
  });
});

describe('defaultAxes', () => {
  it('orders the keys that vary most first, categorical ones included, constants left out, unique ones last', () => {
    expect(defaultAxes(runs, ['batch', 'dataset', 'lr', 'model.depth', 'optimizer', 'seed'])).toEqual(['lr', 'model.depth', 'batch', 'optimizer', 'seed']);
    expect(defaultAxes(runs, ['batch', 'lr', 'seed'], 2)).toEqual(['lr', 'batch']);
  });
  it('puts a float sampled anew for every run (a random search) first, and a seed last even when it repeats', () => {
    const sampled = runs.map((r, i) => ({ config: { ...r.config, lr: 10 ** -(1 + i / 3.7), seed: i % 2 } }));
    expect(defaultAxes(sampled, ['batch', 'lr', 'optimizer', 'seed'])).toEqual(['lr', 'batch', 'optimizer', 'seed']);
  });
});

describe('wantsLog', () => {
  it('is on for positive values over two decades', () => {
    expect(wantsLog([0.1, 0.0001, null])).toBe(true);
    expect(wantsLog([0.1, 0.001])).toBe(false); // two decades exactly
    expect(wantsLog([0.1, 0.002])).toBe(false);
    expect(wantsLog([0, 0.1, 10])).toBe(false);
    expect(wantsLog([5])).toBe(false);
  });
});
