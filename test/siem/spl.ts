/**
 * Just enough of Splunk's search-time behaviour to run the app's props.conf on
 * real cloudtap documents: KV_MODE=json field names, the eval functions the
 * app uses, field aliases, and the event type searches. Anything outside that
 * subset throws, so the app cannot quietly use something this does not check.
 */

export type Value = string | string[] | null;
export type Fields = Map<string, string[]>;

/** KV_MODE=json: nested keys joined by ".", arrays marked "{}", every value a string, repeats multivalued. */
export function jsonFields(document: unknown): Fields {
  const fields: Fields = new Map();
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((item) => walk(item, `${path}{}`));
    else if (value !== null && typeof value === 'object') {
      for (const [key, member] of Object.entries(value)) walk(member, path ? `${path}.${key}` : key);
    } else fields.set(path, [...(fields.get(path) ?? []), value === null ? 'null' : String(value)]);
  };
  walk(document, '');
  return fields;
}

const single = (values: string[] | undefined): Value => (!values || values.length === 0 ? null : values.length === 1 ? values[0]! : values);

type Node =
  | { kind: 'literal'; value: string }
  | { kind: 'field'; name: string }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'compare'; op: '==' | '!='; left: Node; right: Node };

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|('[^']*')|(==|!=|[(),])|([A-Za-z_][\w.]*)|(-?\d+))/y;

/** Parse an eval expression (the subset the app uses). */
export function parseEval(source: string): Node {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length && source.slice(TOKEN.lastIndex).trim() !== '') {
    const match = TOKEN.exec(source);
    if (!match) throw new Error(`eval: cannot read ${JSON.stringify(source.slice(TOKEN.lastIndex))}`);
    tokens.push(match[0].trim());
  }
  let at = 0;
  const expect = (token: string) => {
    if (tokens[at++] !== token) throw new Error(`eval: expected ${token} at token ${at} of ${source}`);
  };
  const primary = (): Node => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`eval: unexpected end of ${source}`);
    if (token.startsWith('"')) return { kind: 'literal', value: JSON.parse(token) };
    if (token.startsWith("'")) return { kind: 'field', name: token.slice(1, -1) };
    if (/^-?\d+$/.test(token)) return { kind: 'literal', value: token };
    if (tokens[at] === '(') {
      at++;
      const args: Node[] = [];
      while (tokens[at] !== ')') {
        args.push(expression());
        if (tokens[at] === ',') at++;
        else if (tokens[at] !== ')') throw new Error(`eval: expected , or ) in ${source}`);
      }
      expect(')');
      if (!FUNCTIONS.has(token)) throw new Error(`eval: function ${token}() is not in the checked subset`);
      return { kind: 'call', name: token, args };
    }
    if (/^[A-Za-z_]\w*$/.test(token)) return { kind: 'field', name: token };
    throw new Error(`eval: unexpected ${token} in ${source}`);
  };
  const expression = (): Node => {
    const left = primary();
    const op = tokens[at];
    if (op === '==' || op === '!=') {
      at++;
      return { kind: 'compare', op, left, right: primary() };
    }
    return left;
  };
  const node = expression();
  if (at !== tokens.length) throw new Error(`eval: trailing tokens in ${source}`);
  return node;
}

/** Every field an expression reads, quoted or bare. */
export function fieldsRead(node: Node): string[] {
  if (node.kind === 'field') return [node.name];
  if (node.kind === 'compare') return [...fieldsRead(node.left), ...fieldsRead(node.right)];
  if (node.kind === 'call') return node.args.flatMap(fieldsRead);
  return [];
}

const FUNCTIONS = new Set(['case', 'coalesce', 'if', 'isnotnull', 'isnull', 'mvfind', 'mvindex', 'true', 'null', 'lower']);
const TRUE = '\u0000true';

export function evaluate(node: Node, fields: Fields): Value {
  const list = (value: Value) => (value === null ? [] : Array.isArray(value) ? value : [value]);
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'field':
      return single(fields.get(node.name));
    case 'compare': {
      const [left, right] = [evaluate(node.left, fields), evaluate(node.right, fields)];
      if (Array.isArray(left) || Array.isArray(right)) throw new Error('eval: comparison of a multivalue field is not in the checked subset');
      const equal = left !== null && left === right;
      return (node.op === '==' ? equal : left !== null && right !== null && !equal) ? TRUE : null;
    }
    case 'call': {
      const args = node.args;
      const arg = (i: number) => evaluate(args[i]!, fields);
      switch (node.name) {
        case 'true':
          return TRUE;
        case 'null':
          return null;
        case 'isnotnull':
          return arg(0) !== null ? TRUE : null;
        case 'isnull':
          return arg(0) === null ? TRUE : null;
        case 'lower': {
          const value = arg(0);
          return value === null ? null : Array.isArray(value) ? value.map((v) => v.toLowerCase()) : value.toLowerCase();
        }
        case 'coalesce':
          for (let i = 0; i < args.length; i++) if (arg(i) !== null) return arg(i);
          return null;
        case 'if':
          return arg(0) === TRUE ? arg(1) : arg(2);
        case 'case':
          if (args.length % 2 !== 0) throw new Error('eval: case() takes condition/value pairs');
          for (let i = 0; i < args.length; i += 2) if (arg(i) === TRUE) return arg(i + 1);
          return null;
        case 'mvfind': {
          const index = list(arg(0)).findIndex((v) => new RegExp(String(arg(1))).test(v));
          return index < 0 ? null : String(index);
        }
        case 'mvindex':
          return list(arg(0))[Number(arg(1))] ?? null;
      }
    }
  }
  throw new Error(`eval: cannot evaluate ${JSON.stringify(node)}`);
}

/** Apply one props.conf stanza's FIELDALIAS- and EVAL- settings, in Splunk's order. */
export function applyProps(stanza: Map<string, string>, extracted: Fields): Fields {
  const fields: Fields = new Map(extracted);
  for (const [key, value] of stanza) {
    if (!key.startsWith('FIELDALIAS-')) continue;
    const pairs = value.trim().split(/\s+/);
    for (let i = 0; i < pairs.length; i += 3) {
      if (pairs[i + 1] !== 'AS' || !pairs[i + 2]) throw new Error(`${key}: expected "<field> AS <alias>"`);
      const source = extracted.get(pairs[i]!);
      if (source) fields.set(pairs[i + 2]!, source);
    }
  }
  const aliased = new Map(fields);
  for (const [key, value] of stanza) {
    if (!key.startsWith('EVAL-')) continue;
    const result = evaluate(parseEval(value), aliased);
    if (result === TRUE) throw new Error(`${key}: yields a boolean`);
    if (result === null) fields.delete(key.slice(5));
    else fields.set(key.slice(5), Array.isArray(result) ? result : [result]);
  }
  return fields;
}

/** An event type search: `field=value`, `field="value"`, `NOT field=value`, `field IN ("a", "b")`, all ANDed. */
export function matchesSearch(search: string, fields: Fields): boolean {
  const terms = search.match(/NOT\s+\S+=("[^"]*"|\S+)|\S+\s+IN\s+\([^)]*\)|\S+=("[^"]*"|\S+)/g) ?? [];
  if (terms.join(' ').replace(/\s+/g, '') !== search.replace(/\s+/g, '')) throw new Error(`search: not in the checked subset: ${search}`);
  const unquote = (value: string) => value.replace(/^"(.*)"$/, '$1');
  const has = (field: string, value: string) => (fields.get(field) ?? []).includes(value);
  return terms.every((term) => {
    const inList = /^(\S+)\s+IN\s+\((.*)\)$/.exec(term);
    if (inList) return inList[2]!.split(',').some((value) => has(inList[1]!, unquote(value.trim())));
    const negated = term.startsWith('NOT ');
    const [field, value] = term.replace(/^NOT\s+/, '').split(/=(.*)/) as [string, string];
    return has(field, unquote(value)) !== negated;
  });
}

/** Splunk's strptime for the directives the app uses; returns epoch milliseconds. */
export function strptime(text: string, format: string, tz: string): number {
  const parts: Record<string, number> = {};
  let pattern = '^';
  const order: string[] = [];
  const directives: Record<string, string> = { Y: '(\\d{4})', m: '(\\d{2})', d: '(\\d{2})', H: '(\\d{2})', M: '(\\d{2})', S: '(\\d{2})', '3N': '(\\d{3})', Z: '(Z|UTC|GMT)' };
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') {
      pattern += format[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const directive = format.startsWith('3N', i + 1) ? '3N' : format[i + 1]!;
    if (!directives[directive]) throw new Error(`strptime: %${directive} is not in the checked subset`);
    pattern += directives[directive];
    order.push(directive);
    i += directive.length;
  }
  const match = new RegExp(pattern).exec(text);
  if (!match) throw new Error(`strptime: ${JSON.stringify(text)} does not match ${format}`);
  order.forEach((directive, index) => (parts[directive] = Number(match[index + 1])));
  if (tz !== 'UTC') throw new Error('strptime: only TZ = UTC is checked');
  return Date.UTC(parts.Y!, parts.m! - 1, parts.d!, parts.H!, parts.M!, parts.S!, parts['3N'] ?? 0);
}
