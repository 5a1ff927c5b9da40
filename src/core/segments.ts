/**
 * SMS cost maths. A GSM-7 message takes 160 characters in one segment, 153 per segment when split;
 * one character outside GSM-7 turns the whole message into UCS-2 (70, then 67 per segment).
 */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters in the extension table: each costs two septets (an escape plus itself). */
const GSM7_EXTENDED = '^{}\\[~]|€\f';

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM7_BASIC.includes(ch) && !GSM7_EXTENDED.includes(ch)) return false;
  return true;
}

/** Characters that are not GSM-7, for a useful test failure message. */
export function nonGsm7Chars(text: string): string[] {
  return [...new Set([...text].filter((ch) => !GSM7_BASIC.includes(ch) && !GSM7_EXTENDED.includes(ch)))];
}

/** Septets a GSM-7 text takes. */
export function gsm7Length(text: string): number {
  let n = 0;
  for (const ch of text) n += GSM7_EXTENDED.includes(ch) ? 2 : 1;
  return n;
}

export function segmentCount(text: string): number {
  if (isGsm7(text)) {
    const len = gsm7Length(text);
    return len <= 160 ? 1 : Math.ceil(len / 153);
  }
  const units = [...text].reduce((n, ch) => n + (ch.codePointAt(0)! > 0xffff ? 2 : 1), 0);
  return units <= 70 ? 1 : Math.ceil(units / 67);
}
