import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's siem/ folder: the generic templates the SIEM assets are rendered from. */
const SIEM_DIR = fileURLToPath(new URL('../../../siem/', import.meta.url));

export function readTemplate(path: string): string {
  return readFileSync(join(SIEM_DIR, path), 'utf8');
}

/** Every file under a siem/ folder, by path relative to it. */
export function readTemplateTree(folder: string): Map<string, string> {
  const root = join(SIEM_DIR, folder);
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Map(files.map((entry) => [relative(root, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name), 'utf8')]));
}

/**
 * A template with each `{{name}}` replaced by its value. A placeholder without
 * a value, or a value without a placeholder, is a mistake in the template.
 */
export function fill(template: string, values: Readonly<Record<string, string>>, name: string): string {
  const used = new Set<string>();
  const text = template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    used.add(key);
    return value;
  });
  const unused = Object.keys(values).filter((key) => !used.has(key));
  if (unused.length > 0) throw new Error(`${name}: no placeholder for ${unused.map((key) => `{{${key}}}`).join(', ')}`);
  return text;
}
