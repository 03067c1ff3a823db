/** The shape of a pinned definition file (shared/ocsf/schema/ocsf-<version>.json), as scripts/ocsf-pin.ts writes it. */

export type Requirement = 'required' | 'recommended' | 'optional';

export interface PinnedAttribute {
  /** A primitive (`string_t`, `timestamp_t`, ...), `object` for a free-form object, or an OCSF object's name. */
  type: string;
  requirement: Requirement;
  array?: true;
  /** For `*_id` enums: value -> caption. */
  enum?: Record<string, string>;
  /** A dictionary type with a pattern (`ip_t`, `email_t`, ...): its name, the pattern in `formats`. */
  format?: string;
  /** A dictionary type with a range (`port_t`): [min, max]. */
  range?: [number, number];
}

export interface PinnedShape {
  caption: string;
  attributes: Record<string, PinnedAttribute>;
  /** e.g. `{ at_least_one: ['name', 'uid'] }` */
  constraints?: { at_least_one?: string[] };
}

export interface PinnedClass extends PinnedShape {
  uid: number;
  name: string;
  category_uid: number;
  category_name: string;
}

export interface PinnedSchema {
  version: string;
  /** The profiles applied: their attributes are kept, other profiles' dropped. */
  profiles: string[];
  /** The patterns of the dictionary types attributes use, by type name. */
  formats: Record<string, string>;
  classes: PinnedClass[];
  objects: Record<string, PinnedShape>;
}
