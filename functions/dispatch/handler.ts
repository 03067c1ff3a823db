import { createDispatchHandler } from '../../shared/runtime/dispatch-lambda';

/** The dispatcher function: once a minute, each instance due in the minute becomes a message on its type's queue. */
export const handler = createDispatchHandler();
