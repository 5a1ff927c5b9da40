/**
 * Red flags: signs that a sore back needs a clinician, not a stretch (see shared/recovery-facts.md,
 * "Safety"). Checked before any back-care advice is given. Patterns are loose on purpose: people
 * misspell ("numbnes", "tingly"), drop apostrophes ("cant feel") and describe rather than name.
 */
const RED_FLAGS: readonly RegExp[] = [
  /\bnumb/, /\bnumm/, /\btingl/, /pins and needles/, /\bcan ?n?o?t feel\b/, /\bcant feel\b/, /\bno feeling\b/, /\blost feeling\b/,
  /\bweak(?:ness)?\b.*\blegs?\b/, /\blegs?\b.*\bweak/, /\b(?:legs?|knees?)\b.*\b(?:gave|gives|giving|give) (?:out|way)\b/, /\bcan ?n?o?t (?:walk|stand)\b/, /\bcant (?:walk|stand)\b/,
  /\bbladder\b/, /\bbowel/, /\bincontinen/, /\b(?:wet|peed|pooped|soiled) (?:my ?self|myself)\b/, /\bcan ?n?o?t (?:pee|poop)\b/, /\bcant (?:pee|poop)\b/,
  /\bfever/, /\bfeverish\b/, /\bchills\b/,
  /\bfell\b/, /\bfall\b/, /\bfallen\b/, /\bdropped (?:the )?(?:bar|weight)\b/, /\bhit by\b/, /\bcar (?:crash|accident)\b/, /\bblow to\b/,
  /\bworst\b.*\b(?:pain|ever|of my life)\b/, /\bgetting worse\b/, /\bworse and worse\b/, /\bunbearable\b/, /\bexcruciating\b/, /\bsevere\b/,
  /\bnot (?:getting better|easing|improving)\b/,
];

/** True when a text describes a sign that needs medical help rather than self-care. */
export function hasRedFlag(text: string): boolean {
  const t = text.toLowerCase().replace(/[’‘`]/g, "'").replace(/'/g, '').replace(/\s+/g, ' ');
  return RED_FLAGS.some((re) => re.test(t));
}
