import { readBundledRules } from '../../shared/runtime/bundled-rules';

/** A handler that reports the rules it finds beside its bundle: bundled by alerting.test.ts in place of a puller. */
export const handler = async () => readBundledRules();
