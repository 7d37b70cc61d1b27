/**
 * The canary knob (`canaries: true`, FaultKnobs): every personal field the reference describes (§7.1 orders with
 * the buyer, receivers, return, cancellation and exchange embeds, §7.2 items) holds a marker unique to the field
 * and the record, `CANARY-<field>-<id>`, instead of a realistic value. A test then scans every topic and table
 * for "CANARY": any hit names the field the privacy policy let through. The payload builders produce every
 * personal value through `personalValue`, so this is the one place that decides what a canary looks like.
 */

/** The marker every canary starts with: what a leak scan looks for. */
export const CANARY = 'CANARY';

export const canaryOf = (field: string, id: string) => `${CANARY}-${field}-${id}`;

/** A personal value: the realistic one, or with canaries on the field's canary (nulls and empty strings too). */
export type PersonalValue = <T>(field: string, value: T) => T | string;

export function personalValue(canaries: boolean, id: string): PersonalValue {
  return canaries ? (field) => canaryOf(field, id) : (_field, value) => value;
}
