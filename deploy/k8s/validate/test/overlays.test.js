// Renders every overlay and checks it: schemas, then Runstream's invariants (lib/invariants.js).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checks, externalSecrets, overlayChecks } from '../lib/invariants.js';
import { overlayNames, render } from '../lib/render.js';

const overlays = overlayNames();

it('finds the dev and prod overlays', () => {
  assert.deepEqual(['dev', 'prod'].filter((name) => !overlays.includes(name)), []);
});

for (const overlay of overlays) {
  describe(`overlay ${overlay}`, () => {
    const options = { externalSecrets: externalSecrets[overlay] ?? [] };
    const all = { ...checks, ...(overlayChecks[overlay] ?? {}) };
    for (const [name, check] of Object.entries(all)) {
      it(name, async () => {
        const violations = await check(render(overlay), options);
        assert.deepEqual(violations, [], `overlays/${overlay}:\n  ${violations.join('\n  ')}`);
      });
    }
  });
}
