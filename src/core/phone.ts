import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A phone number in E.164 ("+15551234567"), or null when the text cannot be one. Checks the length
 * plan of the country, not assignment: fictional 555 numbers used in testing pass.
 */
export function normalizePhone(input: string): string | null {
  const n = parsePhoneNumberFromString(input.trim());
  return n && n.isPossible() ? n.number : null;
}
