import type { Registry, SourceDefinition } from './definition';
import { dbssDefinition } from './huawei/dbss/definition';
import { cloudAuditDefinition } from './tencent/cloudaudit/definition';
import { sslDefinition } from './tencent/ssl/definition';
import { ucloudOperationsDefinition } from './ucloud/operations/definition';

/** Every source type cloudtap knows. Adding an API: one definition here (the puller entry functions/pull serves every type). */
export const definitions: readonly SourceDefinition<any>[] = [cloudAuditDefinition, sslDefinition, ucloudOperationsDefinition, dbssDefinition];

export const registry: Registry = new Map(definitions.map((definition) => [definition.type, definition]));
