import { dbssDefinition } from '../../shared/providers/huawei/dbss/definition';
import { createPullHandler } from '../../shared/runtime/lambda';

export const handler = createPullHandler(dbssDefinition);
