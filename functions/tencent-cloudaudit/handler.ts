import { cloudAuditDefinition } from '../../shared/providers/tencent/cloudaudit/definition';
import { createPullHandler } from '../../shared/runtime/lambda';

export const handler = createPullHandler(cloudAuditDefinition);
