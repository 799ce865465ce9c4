// Renders the kustomize overlays under deploy/k8s/overlays with `kubectl kustomize` (no cluster needed).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const k8sDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The overlay folder names (dev, prod, ...). */
export function overlayNames() {
  return readdirSync(path.join(k8sDir, 'overlays'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

const rendered = new Map();

/** The overlay's objects as plain data; every call returns a fresh copy the caller may change. */
export function render(overlay) {
  if (!rendered.has(overlay)) {
    let output;
    try {
      output = execFileSync('kubectl', ['kustomize', path.join(k8sDir, 'overlays', overlay)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      throw new Error(`kubectl kustomize overlays/${overlay} failed:\n${error.stderr || error.message}`);
    }
    const objects = parseAllDocuments(output).map((document) => {
      if (document.errors.length > 0) throw new Error(`overlays/${overlay}: ${document.errors[0].message}`);
      return document.toJS();
    }).filter((object) => object != null);
    rendered.set(overlay, objects);
  }
  return structuredClone(rendered.get(overlay));
}
