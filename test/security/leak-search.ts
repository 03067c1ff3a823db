import { format, inspect } from 'node:util';
import { vi, type MockInstance } from 'vitest';

/**
 * Tools for the secret-leak test: capture everything a process writes, render
 * errors the way a log or a crash report would, and search texts for planted
 * values in every form a value takes when it is encoded on its way out.
 */

/** Shorter windows of a value are not searched: they would no longer be distinctive. */
const FRAGMENT_CHARS = 10;

/**
 * The forms of `value` worth searching for, by name. A value inside a larger
 * base64 text is encoded differently at each of the three byte offsets, so each
 * offset's encoding is searched, minus the characters the neighbouring bytes change.
 */
export function encodedForms(value: string): Record<string, string> {
  const json = JSON.stringify(value).slice(1, -1);
  const url = encodeURIComponent(value);
  const forms: Record<string, string> = {
    raw: value,
    'JSON-escaped': json,
    // A JSON text carried as a string inside another (an outbox item, an SNS message in a log line).
    'JSON-escaped twice': JSON.stringify(json).slice(1, -1),
    'URL-encoded': url,
    'URL-encoded (lower-case hex)': url.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    'form-encoded': new URLSearchParams({ v: value }).toString().slice(2),
  };
  for (const offset of [0, 1, 2]) {
    const bytes = Buffer.concat([Buffer.alloc(offset), Buffer.from(value, 'utf8')]);
    // Characters 0..1 (offset 1) or 0..2 (offset 2) mix in the unknown preceding bytes; a partial last group, the following ones.
    const stable = bytes.toString('base64').slice(offset === 0 ? 0 : offset + 1, Math.floor(bytes.length / 3) * 4);
    forms[`base64 (offset ${offset})`] = stable;
    forms[`base64url (offset ${offset})`] = stable.replace(/\+/g, '-').replace(/\//g, '_');
  }
  return forms;
}

/**
 * Every place a planted value shows, as `where: label as form`. Besides the
 * encoded forms, any `FRAGMENT_CHARS`-character piece of a value counts: an
 * error quoting the text around a parse failure leaks part of a key.
 */
export function findLeaks(planted: Record<string, string>, texts: Record<string, string>): string[] {
  const leaks: string[] = [];
  for (const [label, value] of Object.entries(planted)) {
    const needles = Object.entries(encodedForms(value));
    for (let i = 0; i + FRAGMENT_CHARS < value.length; i++) needles.push([`fragment "${value.slice(i, i + FRAGMENT_CHARS)}"`, value.slice(i, i + FRAGMENT_CHARS)]);
    for (const [where, text] of Object.entries(texts)) {
      const found = needles.find(([, needle]) => needle.length > 0 && text.includes(needle));
      if (found) leaks.push(`${where}: ${label} as ${found[0]}`);
    }
  }
  return leaks;
}

/** An error as a crash report or a careless log line would show it: inspected deeply, stack, JSON, and each cause the same way. */
export function renderError(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    parts.push(inspect(current, { depth: 12 }));
    if (current instanceof Error) parts.push(current.message, String(current.stack));
    try {
      parts.push(JSON.stringify(current));
    } catch {
      // A circular error is shown by inspect already.
    }
  }
  return parts.join('\n');
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

/**
 * Every byte written to stdout and stderr, and every console call (the test
 * runner routes console elsewhere), while started. Powertools' logger and its
 * EMF metrics write to the streams.
 */
export class OutputCapture {
  private readonly chunks: string[] = [];
  private spies: MockInstance[] = [];

  start(): void {
    const write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (callback) queueMicrotask(callback);
      return true;
    }) as typeof process.stdout.write;
    this.spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(write),
      vi.spyOn(process.stderr, 'write').mockImplementation(write),
      ...CONSOLE_METHODS.map((method) =>
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void this.chunks.push(`${format(...args)}\n`)),
      ),
    ];
  }

  stop(): void {
    for (const spy of this.spies) spy.mockRestore();
    this.spies = [];
  }

  /** Everything captured so far. */
  text(): string {
    return this.chunks.join('');
  }
}
