import { ucloudOperationsDefinition } from '../../shared/providers/ucloud/operations/definition';
import { createPullHandler } from '../../shared/runtime/lambda';

export const handler = createPullHandler(ucloudOperationsDefinition);
