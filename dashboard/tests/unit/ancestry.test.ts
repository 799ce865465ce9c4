import { describe, expect, it } from 'vitest';
import { ancestorChain } from '../../src/lib/ancestry';

const chain = [
  { runId: 'p', name: 'parent', step: 49 },
  { runId: 'g', name: null, step: 10 },
];

describe('ancestor chain', () => {
  it('is the lineage\'s chain when it starts at the run\'s parent', () => {
    expect(ancestorChain({ runId: 'p', step: 49 }, chain)).toEqual(chain);
  });
  it('is the parent the run names, by id, before the lineage has loaded', () => {
    expect(ancestorChain({ runId: 'p', step: 49 }, null)).toEqual([{ runId: 'p', name: null, step: 49 }]);
    expect(ancestorChain({ runId: 'p', step: 49 }, [])).toEqual([{ runId: 'p', name: null, step: 49 }]);
  });
  it('trusts the run over a lineage naming another parent', () => {
    expect(ancestorChain({ runId: 'q', step: 5 }, chain)).toEqual([{ runId: 'q', name: null, step: 5 }]);
  });
  it('is empty for a run not forked, unless the lineage says otherwise', () => {
    expect(ancestorChain(null, [])).toEqual([]);
    expect(ancestorChain(undefined, undefined)).toEqual([]);
    expect(ancestorChain(null, chain)).toEqual(chain);
  });
  it('is a copy: the page may not change the lineage it came from', () => {
    const out = ancestorChain({ runId: 'p', step: 49 }, chain);
    out.pop();
    expect(chain).toHaveLength(2);
  });
});
