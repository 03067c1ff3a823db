import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parquetReadObjects } from 'hyparquet';

/** One Parquet file of a Security Lake layout, read back with hyparquet. */
export interface LakeFile {
  /** Relative to the lake folder: ext/<source>/region=…/accountId=…/eventDay=…/<name>.parquet */
  path: string;
  rows: Record<string, unknown>[];
}

/** Every file under `dir`, sorted by path, temporary files included (a test should see none). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

export async function readLake(dir: string): Promise<LakeFile[]> {
  const files: LakeFile[] = [];
  for (const path of await listFiles(dir)) {
    const bytes = await readFile(join(dir, path));
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    files.push({ path, rows: (await parquetReadObjects({ file })) as Record<string, unknown>[] });
  }
  return files;
}

/**
 * A value as its JSON would carry it, so a row read back compares with the record written:
 * absent optional columns (null) dropped, INT64 bigints as numbers.
 */
export function asJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(asJson);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, member]) => member !== null && member !== undefined);
    return Object.fromEntries(entries.map(([key, member]) => [key, asJson(member)]));
  }
  return value;
}
