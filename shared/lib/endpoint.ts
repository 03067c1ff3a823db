import * as z from 'zod';

/**
 * Where credentials or audit logs travel, only over TLS. Plain http is left
 * for this machine alone (loopback), where the simulators and local test
 * servers listen.
 */

/** Why a URL was refused, for error messages. */
export const ENCRYPTED_URL_HINT =
  'expected an https URL: plain http would carry credentials and audit logs unencrypted (http is accepted only for localhost, 127.0.0.0/8 or [::1], e.g. a simulator)';

/** An https URL, or an http URL to a loopback address. */
export function isEncryptedOrLoopback(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return true;
  // URL normalizes the host: 127.1 becomes 127.0.0.1, [0:0::1] becomes [::1], LOCALHOST localhost.
  return protocol === 'http:' && (hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname));
}

/** A URL setting that credentials or records travel to; the URL is never echoed (it may carry a token). */
export const encryptedUrl = z.string().superRefine((text, ctx) => {
  if (!URL.canParse(text)) ctx.addIssue({ code: 'custom', message: 'expected a URL such as https://api.example.com' });
  else if (!isEncryptedOrLoopback(text)) ctx.addIssue({ code: 'custom', message: ENCRYPTED_URL_HINT });
});
