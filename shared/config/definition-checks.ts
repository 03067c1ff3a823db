import type { SourceDefinition } from '../providers/definition';
import { envKeyProblems, isRecord } from './credential-sets';
import { check, formatIssue } from './issues';
import { beyondRetention, parseStart } from './start';

/** What a definition's checks found: the parsed options when valid, the option keys and the other fields refused. */
export interface DefinitionChecked<Options> {
  options?: { data: Options };
  refusedOptions: ReadonlySet<string>;
  refusedFields: ReadonlySet<string>;
}

/**
 * What a definition asks of an entry: a region where required, valid options,
 * known credential fields, a start within retention. Works on an entry whose
 * shape is wrong elsewhere too, checking only fields of the right type (the
 * shape check reports the rest), so both kinds of mistake come out at once.
 * `partial` checks `defaults.<type>`, which an instance completes: no field
 * is required there, and only the options it sets are judged.
 */
export function definitionProblems<Options>(
  fields: Record<string, unknown>,
  definition: SourceDefinition<Options>,
  at: string,
  problems: string[],
  nowMs: number,
  partial = false,
): DefinitionChecked<Options> {
  if (!partial && definition.requiresRegion && fields.region === undefined && fields.regions === undefined) {
    problems.push(`${at}.region: required for ${definition.type}`);
  }

  let options: { data: Options } | undefined;
  const refusedOptions = new Set<string>();
  const rawOptions = fields.options ?? {};
  if (isRecord(rawOptions)) {
    const parsed = check(definition.optionsSchema, rawOptions);
    if (parsed.success) options = { data: parsed.data };
    else {
      // Partial: an option the instances set themselves is not missing here.
      const judged = partial ? parsed.issues.filter((issue) => String(issue.path[0]) in rawOptions) : parsed.issues;
      for (const issue of judged) refusedOptions.add(String(issue.path[0]));
      problems.push(...judged.map((issue) => formatIssue(issue, `${at}.options`)));
    }
  }

  const refusedFields = new Set<string>();
  const env = isRecord(fields.credentials) ? fields.credentials.env : undefined;
  if (isRecord(env)) {
    const before = problems.length;
    envKeyProblems(env, definition.credentialFields, `${definition.type} takes`, `${at}.credentials.env`, problems);
    if (problems.length > before) refusedFields.add('credentials');
  }

  if (typeof fields.start === 'string') {
    const start = parseStart(fields.start);
    const beyond = start && beyondRetention(start, fields.start, definition.type, definition.retentionSeconds, nowMs);
    if (beyond) {
      problems.push(`${at}.start: ${beyond}`);
      refusedFields.add('start');
    }
  }
  if (fields.region !== undefined && fields.regions !== undefined) {
    problems.push(`${at}.regions: set region or regions, not both`);
    refusedFields.add('regions');
  }
  return { options, refusedOptions, refusedFields };
}
