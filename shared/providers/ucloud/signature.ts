import { createHash } from 'node:crypto';

/**
 * UCloud API request signing, as UCloud's signature document
 * (docs.ucloud.cn/api/summary/signature) describes it and the official SDKs
 * implement it (ucloud-sdk-python3 `core/auth`, ucloud-sdk-go `ucloud/auth`,
 * ucloud-sdk-java `Credential.verifyAc`, ucloud-sdk-js `core/credential`):
 *
 * 1. flatten the parameters: arrays as `Key.N`, objects as `Key.Sub`, arrays of
 *    objects as `Key.N.Sub`; null and undefined are left out;
 * 2. stringify each value: booleans as `true`/`false`, numbers in plain decimal
 *    without a trailing `.0` and never in scientific notation;
 * 3. add `PublicKey`, sort the names (byte order: `CPU` before `ChargeType`),
 *    concatenate name + value with no separator, append the private key;
 * 4. `Signature` = lower-case hex SHA1 of that string.
 *
 * The signature covers the decoded values, so the same parameters may travel as
 * a form body, a JSON body of the flattened names, or a GET query.
 */

export interface UCloudKeys {
  publicKey: string;
  privateKey: string;
}

export type FlatParams = Record<string, string>;

/** A number in plain decimal, as Go's FormatFloat(v, 'f', -1) writes it: 42.0 -> "42", 1e21 -> "1000…0". */
function plainNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`cannot sign a non-finite number (${value})`);
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = '', exponent] = match as unknown as [string, string, string, string | undefined, string];
  const digits = lead + fraction;
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** One scalar as the SDKs stringify it for the signature (and for the wire). */
export function encodeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return plainNumber(value);
    case 'bigint':
      return value.toString();
    default:
      throw new TypeError(`cannot sign a value of type ${value === null ? 'null' : typeof value}`);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/**
 * Flatten request parameters to the `Key.N.Sub` names the API expects, every
 * value a string. Throws on values the API cannot take (functions, dates) and
 * on two inputs that flatten to the same name.
 */
export function flattenParams(params: Record<string, unknown>): FlatParams {
  const out: FlatParams = {};
  const visit = (name: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(`${name}.${index}`, item));
    } else if (isPlainObject(value)) {
      for (const [key, member] of Object.entries(value)) visit(`${name}.${key}`, member);
    } else {
      if (Object.hasOwn(out, name)) throw new TypeError(`parameter ${name} is given twice`);
      out[name] = encodeValue(value);
    }
  };
  for (const [key, value] of Object.entries(params)) visit(key, value);
  return out;
}

/** Byte order of the UTF-8 names, as Go's sort.Strings (JS sorts UTF-16 units). */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The signed parameter string without the private key: sorted name+value pairs, `Signature` excluded. */
export function canonicalParamString(flat: FlatParams): string {
  return Object.keys(flat)
    .filter((name) => name !== 'Signature')
    .sort(byteOrder)
    .map((name) => name + flat[name])
    .join('');
}

/** The Signature of flattened parameters (which must already hold `PublicKey`). */
export function computeSignature(flat: FlatParams, privateKey: string): string {
  return createHash('sha1').update(canonicalParamString(flat) + privateKey, 'utf8').digest('hex');
}

/** Flatten `params`, add `PublicKey`, and add their `Signature`: the complete parameter set to send. */
export function signParams(params: Record<string, unknown>, keys: UCloudKeys): FlatParams {
  const flat = flattenParams(params);
  delete flat.Signature;
  flat.PublicKey = keys.publicKey;
  flat.Signature = computeSignature(flat, keys.privateKey);
  return flat;
}
