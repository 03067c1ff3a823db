/**
 * Stands in for functions/dispatch/handler.ts until that file exists on this
 * branch: NodejsFunction checks its entry exists even when bundling is skipped.
 */
export const handler = async (): Promise<void> => {};
