import { ConfigError } from '../lib/errors';
import type { SourceDefinition, SourceInstanceConfig } from '../providers/definition';

/**
 * Check the instance a scheduled event carries. The stack wrote it from a
 * validated config, but a hand-edited rule or a newer function version must
 * fail with a message, not half-way through a run.
 */
export function resolveInvocationSource<Options>(
  definition: SourceDefinition<Options>,
  source: SourceInstanceConfig<unknown> | undefined,
): SourceInstanceConfig<Options> {
  const where = 'scheduled event';
  if (!source || typeof source !== 'object') throw new ConfigError(where, ['the event has no "source" object']);
  if (source.type !== definition.type) {
    throw new ConfigError(where, [`source ${source.id} is of type ${source.type}; this function pulls ${definition.type}`]);
  }
  const options = definition.optionsSchema.safeParse(source.options ?? {});
  if (!options.success) {
    throw new ConfigError(where, options.error.issues.map((issue) => `source ${source.id}.options.${issue.path.join('.')}: ${issue.message}`));
  }
  if (definition.requiresRegion && !source.region) throw new ConfigError(where, [`source ${source.id}: region is required`]);
  return { ...source, options: options.data };
}
