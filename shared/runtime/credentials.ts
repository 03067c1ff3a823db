import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '../lib/errors';
import type { Credentials, SourceDefinition, SourceInstanceConfig } from '../providers/definition';

/**
 * Credentials for one source instance: from Secrets Manager when deployed,
 * from environment variables locally. Errors name the missing field and where
 * it was looked for, never a value.
 */

export function credentialsFromEnv(
  definition: SourceDefinition<any>,
  instance: SourceInstanceConfig<any>,
  env: NodeJS.ProcessEnv = process.env,
): Credentials {
  const credentials: Credentials = {};
  const missing: string[] = [];
  for (const field of definition.credentialFields) {
    const variable = instance.credentialEnv[field.name] ?? field.env;
    const value = env[variable];
    if (value) credentials[field.name] = value;
    else if (!field.optional) missing.push(`${field.name}: set the environment variable ${variable}`);
  }
  if (missing.length > 0) throw new ConfigError(`credentials of source ${instance.id}`, missing);
  return credentials;
}

/** Secrets are cached for five minutes per warm Lambda, so a rotated key is picked up without a redeploy. */
const SECRET_CACHE_SECONDS = 300;

export async function credentialsFromSecret(
  definition: SourceDefinition<any>,
  instance: SourceInstanceConfig<any>,
  secretArn: string,
): Promise<Credentials> {
  let text: string | Uint8Array | undefined;
  try {
    text = await getSecret(secretArn, { maxAge: SECRET_CACHE_SECONDS });
  } catch (error) {
    // The SDK's message names the secret and the reason (not found, access denied), never its value.
    throw new ConfigError(`credentials of source ${instance.id}`, [
      `cannot read secret ${secretArn}: ${(error as Error).message}`,
    ]);
  }
  const fields = definition.credentialFields.map((field) => field.name).join(', ');
  let value: unknown;
  try {
    // Parsed here, not by Powertools' json transform: JSON.parse's message quotes the text around
    // the error, which would put part of a key into our error.
    value = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`credentials of source ${instance.id}`, [
      `secret ${secretArn} is not a JSON object of string fields (${fields})`,
    ]);
  }
  const secret = value as Record<string, unknown>;
  const credentials: Credentials = {};
  const missing: string[] = [];
  for (const field of definition.credentialFields) {
    const fieldValue = secret[field.name];
    if (typeof fieldValue === 'string' && fieldValue !== '') credentials[field.name] = fieldValue;
    else if (!field.optional) missing.push(`${field.name}: missing from secret ${secretArn} (expected a JSON string field)`);
  }
  if (missing.length > 0) throw new ConfigError(`credentials of source ${instance.id}`, missing);
  return credentials;
}
