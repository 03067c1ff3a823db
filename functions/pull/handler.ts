import { registry } from '../../shared/providers/registry';
import { createPullHandler, definitionFromEnv } from '../../shared/runtime/lambda';

/** Every puller function: the stack tells each which source type it pulls (FUNCTION_ENV.sourceType). */
export const handler = createPullHandler(definitionFromEnv(registry));
