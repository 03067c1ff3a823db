import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '../lib/errors';
import type { CredentialField, CredentialsOf, SourceDefinition, SourceInstanceConfig } from '../providers/definition';

/**
 * Credentials for one source instance: from Secrets Manager when deployed,
 * from environment variables locally, checked against the fields its
 * definition declares. Errors name the missing field and where it was looked
 * for, never a value.
 */

/** The fields `valueOf` finds, or a ConfigError listing every required one it does not (`missing` says where it looked). */
function collect<Fields extends readonly CredentialField[]>(
  definition: SourceDefinition<any, Fields>,
  instance: SourceInstanceConfig<any>,
  valueOf: (field: CredentialField) => string | undefined,
  missing: (field: CredentialField) => string,
): CredentialsOf<Fields> {
  const credentials: Record<string, string> = {};
  const problems: string[] = [];
  for (const field of definition.credentialFields) {
    const value = valueOf(field);
    if (value) credentials[field.name] = value;
    else if (!field.optional) problems.push(`${field.name}: ${missing(field)}`);
  }
  if (problems.length > 0) throw new ConfigError(`credentials of source ${instance.id}`, problems);
  // Every required field was found: the shape the definition declares.
  return credentials as CredentialsOf<Fields>;
}

export function credentialsFromEnv<Fields extends readonly CredentialField[]>(
  definition: SourceDefinition<any, Fields>,
  instance: SourceInstanceConfig<any>,
  env: NodeJS.ProcessEnv = process.env,
): CredentialsOf<Fields> {
  const variable = (field: CredentialField) => instance.credentialEnv[field.name] ?? field.env;
  return collect(definition, instance, (field) => env[variable(field)], (field) => `set the environment variable ${variable(field)}`);
}

/** Secrets are cached for five minutes per warm Lambda, so a rotated key is picked up without a redeploy. */
const SECRET_CACHE_SECONDS = 300;

/** `secretId`: the secret's name (a credential set's, `<stackName>/<set>`) or its ARN; Secrets Manager takes either. */
export async function credentialsFromSecret<Fields extends readonly CredentialField[]>(
  definition: SourceDefinition<any, Fields>,
  instance: SourceInstanceConfig<any>,
  secretId: string,
): Promise<CredentialsOf<Fields>> {
  let text: string | Uint8Array | undefined;
  try {
    text = await getSecret(secretId, { maxAge: SECRET_CACHE_SECONDS });
  } catch (error) {
    // The SDK's message names the secret and the reason (not found, access denied), never its value.
    throw new ConfigError(`credentials of source ${instance.id}`, [
      `cannot read secret ${secretId}: ${(error as Error).message}`,
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
      `secret ${secretId} is not a JSON object of string fields (${fields})`,
    ]);
  }
  const secret = value as Record<string, unknown>;
  return collect(
    definition,
    instance,
    (field) => (typeof secret[field.name] === 'string' ? (secret[field.name] as string) : undefined),
    () => `missing from secret ${secretId} (expected a JSON string field)`,
  );
}
