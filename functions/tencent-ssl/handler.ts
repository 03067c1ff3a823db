import { sslDefinition } from '../../shared/providers/tencent/ssl/definition';
import { createPullHandler } from '../../shared/runtime/lambda';

export const handler = createPullHandler(sslDefinition);
