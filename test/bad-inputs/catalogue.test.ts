import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogue, catalogueTable } from './catalogue';

const here = dirname(fileURLToPath(import.meta.url));
const TESTING_PAGE = join(here, '..', '..', 'docs', 'testing.md');

/** The index of the `(` that `close` (a `)`) closes in `text`. */
function openingParen(text: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) return i;
  }
  return -1;
}

/** Catalogue ids that open the name of an `it(...)` or `it.each(...)(...)` in a test file's text. */
function idsOfTests(text: string): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(/\(\s*['"`](BI-\d{2}) /g)) {
    const callee = text.slice(0, match.index).trimEnd();
    const isIt = /\bit$/.test(callee) || (callee.endsWith(')') && /\bit\.each$/.test(callee.slice(0, openingParen(callee, callee.length - 1)).trimEnd()));
    if (isIt) ids.push(match[1]!);
  }
  return ids;
}

const testFiles = readdirSync(here).filter((name) => name.endsWith('.test.ts') && name !== 'catalogue.test.ts');

describe('the catalogue of bad inputs', () => {
  it('numbers its cases BI-01, BI-02, … without gaps, at least 25 of them, each with its input and behaviour', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(25);
    expect(catalogue.map((entry) => entry.id)).toEqual(catalogue.map((_, i) => `BI-${String(i + 1).padStart(2, '0')}`));
    for (const entry of catalogue) expect(entry.input.length * entry.behaviour.length, entry.id).toBeGreaterThan(0);
  });

  it.each(catalogue)('$id has an `it` named for it in $test', ({ id, test }) => {
    expect(idsOfTests(readFileSync(join(here, test), 'utf8'))).toContain(id);
  });

  it('has an entry, in the right file, for every id a bad-input test is named with', () => {
    const fileOf = new Map(catalogue.map((entry) => [entry.id, entry.test]));
    for (const file of testFiles) {
      for (const id of idsOfTests(readFileSync(join(here, file), 'utf8'))) expect(`${id} in ${fileOf.get(id)}`).toBe(`${id} in ${file}`);
    }
  });

  it('is listed in docs/testing.md, every id in a table row', () => {
    const page = readFileSync(TESTING_PAGE, 'utf8');
    const missing = catalogue.filter(({ id }) => !new RegExp(`^\\|\\s*${id}\\s*\\|`, 'm').test(page)).map(({ id }) => id);
    expect(missing).toEqual([]);
  });

  it('is shown in docs/testing.md as the table catalogueTable() makes, so the page says what the tests assert', () => {
    expect(readFileSync(TESTING_PAGE, 'utf8')).toContain(catalogueTable());
  });
});
