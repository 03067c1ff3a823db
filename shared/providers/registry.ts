import type { Registry, SourceDefinition } from './definition';
import { actionTrailDefinition } from './alibaba/actiontrail/definition';
import { ctsDefinition } from './huawei/cts/definition';
import { dbssDefinition } from './huawei/dbss/definition';
import { cloudAuditDefinition } from './tencent/cloudaudit/definition';
import { sslDefinition } from './tencent/ssl/definition';
import { ucloudOperationsDefinition } from './ucloud/operations/definition';

/**
 * Every source type cloudtap knows, and the only place that names them: adding
 * an API is its folder shared/providers/<vendor>/<api>/ (definition, rules),
 * its simulator in simulators/<vendor>/<api>/, its tests, and one line here.
 */
export const definitions: readonly SourceDefinition<any>[] = [cloudAuditDefinition, sslDefinition, ucloudOperationsDefinition, dbssDefinition, actionTrailDefinition, ctsDefinition];

export const registry: Registry = new Map(definitions.map((definition) => [definition.type, definition]));
