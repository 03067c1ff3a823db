import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../shared/config/load';
import { registry } from '../../shared/providers/registry';
import { repositoryRoot } from '../support/cli';

/**
 * Every YAML example in the README and docs is a configuration a reader may
 * copy, so each must pass the same validation as a real file: a list is a
 * `sources` list, a mapping is a file (given a stand-in source when it shows
 * only other sections). Placeholders such as <stack> are filled in; a block
 * showing alternatives under one key (`sink:` ... `# or` `sink:`) is read
 * with the last one.
 */
const pages = ['README.md', ...readdirSync(join(repositoryRoot, 'docs'), { recursive: true, encoding: 'utf8' }).map((page) => join('docs', page))].filter((page) =>
  page.endsWith('.md'),
);

const examples = pages.flatMap((page) =>
  [...readFileSync(join(repositoryRoot, page), 'utf8').matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((match, index) => ({
    where: `${page} example ${index + 1}`,
    yaml: match[1]!.replace(/<[^>]+>/g, 'example'),
  })),
);

const standIn = { id: 'doc-example', type: 'tencent-ssl' };

describe('configuration examples in the docs', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(5);
  });

  it.each(examples)('$where validates', ({ where, yaml }) => {
    const data: unknown = parse(yaml, { uniqueKeys: false });
    const config = Array.isArray(data) ? { sources: data } : { sources: [standIn], ...(data as Record<string, unknown>) };
    expect(() => parseConfig(config, registry, where)).not.toThrow();
  });
});
