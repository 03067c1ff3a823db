import { splunkAppFiles } from '../../shared/ops/siem/splunk-app';
import { definitions } from '../../shared/providers/registry';

/** A Splunk .conf file: stanza -> setting -> value, in file order. */
export type Conf = Map<string, Map<string, string>>;

/**
 * Parse a Splunk .conf file the way Splunk reads it: `[stanza]` headers,
 * `key = value` settings, `#` comments only on their own line, a trailing
 * backslash continues a value. Settings before any stanza go to `default`.
 * Throws on anything Splunk would ignore or misread (a stray line, a setting
 * repeated in one stanza), so a typo cannot pass silently.
 */
export function parseConf(text: string, name = 'conf'): Conf {
  const conf: Conf = new Map();
  let stanza = 'default';
  let pending = '';
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = pending + raw;
    if (line.endsWith('\\') && !line.endsWith('\\\\')) {
      pending = `${line.slice(0, -1)}\n`;
      return;
    }
    pending = '';
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const header = /^\[(.*)\]$/.exec(trimmed);
    if (header) {
      stanza = header[1]!;
      if (conf.has(stanza)) throw new Error(`${name}:${index + 1}: stanza [${stanza}] appears twice`);
      conf.set(stanza, new Map());
      return;
    }
    const setting = /^([^=\s][^=]*?)\s*=\s?(.*)$/.exec(line);
    if (!setting) throw new Error(`${name}:${index + 1}: not a setting: ${line}`);
    const settings = conf.get(stanza) ?? conf.set(stanza, new Map()).get(stanza)!;
    const key = setting[1]!.trim();
    if (settings.has(key)) throw new Error(`${name}:${index + 1}: ${key} set twice in [${stanza}]`);
    settings.set(key, setting[2]!.trim());
  });
  return conf;
}

/** The Splunk app as rendered from the registry, file by file. */
const app = splunkAppFiles(definitions);

export function readAppConf(path: string): Conf {
  const text = app.get(path);
  if (text === undefined) throw new Error(`the Splunk app has no ${path}`);
  return parseConf(text, path);
}
