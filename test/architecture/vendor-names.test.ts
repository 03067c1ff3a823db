/**
 * A source type is added by its folders (shared/providers/<vendor>/<api>/,
 * simulators/<vendor>/<api>/, its tests), one registry line and one docs page.
 * This lists every other tracked product file (code and assets) that names a
 * vendor or a source type, by the names the registry gives them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { definitions } from '../../shared/providers/registry';

const root = fileURLToPath(new URL('../..', import.meta.url));

const vendors = [...new Set(definitions.map((definition) => definition.vendor))];
const names = [...new Set(definitions.flatMap((definition) => [definition.type, definition.vendor, ...definition.names]))].map((name) =>
  name.toLowerCase(),
);

/** Where a vendor may be named: its own folders, the tests, the per-source docs pages. */
const vendorPlaces = [...vendors.flatMap((vendor) => [`shared/providers/${vendor}/`, `simulators/${vendor}/`]), 'test/', 'docs/sources/'];

const CODE_AND_ASSETS = /\.(ts|js|cjs|json|conf|sh|yaml)$/;
/**
 * Not generic code: the package manifests, and the example configuration,
 * whose whole point is to show a source of each type configured.
 */
const NOT_CODE = new Set(['package.json', 'package-lock.json', 'cloudtap.example.yaml']);

function filesNamingAVendor(): string[] {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  return tracked
    .filter((file) => CODE_AND_ASSETS.test(file) && !NOT_CODE.has(file) && !vendorPlaces.some((place) => file.startsWith(place)))
    .filter((file) => {
      const text = readFileSync(join(root, file), 'utf8').toLowerCase();
      return names.some((name) => text.includes(name));
    })
    .sort();
}


describe('vendor names', () => {
  it('only the registry names a vendor outside the vendors’ folders and the tests', () => {
    // The registry names every definition it imports, so the search finds at least that file.
    expect(filesNamingAVendor()).toEqual(
      [
        'shared/providers/registry.ts',
        // Rules that span providers under one id (MFA removal covers two of them); their examples are those providers' documents.
        'shared/detection/rules/cross-provider.json',
      ].sort(),
    );
  });
});
