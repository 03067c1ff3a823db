import * as z from 'zod';

export const sslOptionsSchema = z
  .object({
    /** Sent as X-TC-Language; Tencent localizes messages by it (the Action text comes in English or Chinese). */
    language: z.enum(['en-US', 'zh-CN']).optional(),
  })
  .strict();

export type SslOptions = z.infer<typeof sslOptionsSchema>;
