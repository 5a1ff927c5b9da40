import { getCountry } from 'countries-and-timezones';
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Countries with more than one zone in the tz database where one zone holds nearly everyone
 * (New Zealand's Chatham Islands, Spain's Canaries, Portugal's Azores ...).
 */
const MAIN_ZONE: Record<string, string> = {
  NZ: 'Pacific/Auckland',
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  CL: 'America/Santiago',
  EC: 'America/Guayaquil',
  DE: 'Europe/Berlin',
  DK: 'Europe/Copenhagen',
  NL: 'Europe/Amsterdam',
  FR: 'Europe/Paris',
  UA: 'Europe/Kyiv',
  MY: 'Asia/Kuala_Lumpur',
};

/** The number's zone when its country has one; otherwise the fallback (DEFAULT_TIMEZONE). */
export function inferTimezone(phone: string, fallback: string): string {
  const parsed = parsePhoneNumberFromString(phone);
  // A number outside the assigned ranges (fictional, or newer than the metadata) has no country;
  // its calling code's main country ("+44" → GB) is the best guess.
  const country = parsed?.country ?? parsed?.getPossibleCountries()[0];
  if (!country) return fallback;
  if (MAIN_ZONE[country]) return MAIN_ZONE[country];
  const zones = getCountry(country)?.timezones ?? [];
  return zones.length === 1 ? zones[0]! : fallback;
}

/** What people type for a zone: abbreviations, regions, and big cities that are not tz names. */
const ALIASES: Record<string, string> = {
  est: 'America/New_York', edt: 'America/New_York', et: 'America/New_York', eastern: 'America/New_York',
  cst: 'America/Chicago', cdt: 'America/Chicago', ct: 'America/Chicago', central: 'America/Chicago',
  mst: 'America/Denver', mdt: 'America/Denver', mt: 'America/Denver', mountain: 'America/Denver',
  pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles', pt: 'America/Los_Angeles', pacific: 'America/Los_Angeles',
  akst: 'America/Anchorage', akdt: 'America/Anchorage', alaska: 'America/Anchorage',
  hst: 'Pacific/Honolulu', hawaii: 'Pacific/Honolulu', arizona: 'America/Phoenix',
  ast: 'America/Halifax', atlantic: 'America/Halifax', nst: 'America/St_Johns', newfoundland: 'America/St_Johns',
  gmt: 'Europe/London', bst: 'Europe/London', uk: 'Europe/London', britain: 'Europe/London', england: 'Europe/London',
  scotland: 'Europe/London', wales: 'Europe/London', ireland: 'Europe/Dublin', irish: 'Europe/Dublin',
  cet: 'Europe/Paris', cest: 'Europe/Paris', eet: 'Europe/Athens', eest: 'Europe/Athens', wet: 'Europe/Lisbon',
  aest: 'Australia/Sydney', aedt: 'Australia/Sydney', acst: 'Australia/Adelaide', acdt: 'Australia/Adelaide',
  awst: 'Australia/Perth', nzst: 'Pacific/Auckland', nzdt: 'Pacific/Auckland', nz: 'Pacific/Auckland',
  'new zealand': 'Pacific/Auckland', ist: 'Asia/Kolkata', india: 'Asia/Kolkata', jst: 'Asia/Tokyo', japan: 'Asia/Tokyo',
  utc: 'UTC', 'san francisco': 'America/Los_Angeles', sf: 'America/Los_Angeles', la: 'America/Los_Angeles',
  seattle: 'America/Los_Angeles', portland: 'America/Los_Angeles', 'san diego': 'America/Los_Angeles',
  'las vegas': 'America/Los_Angeles', 'salt lake city': 'America/Denver', dallas: 'America/Chicago',
  houston: 'America/Chicago', austin: 'America/Chicago', atlanta: 'America/New_York', miami: 'America/New_York',
  boston: 'America/New_York', philadelphia: 'America/New_York', washington: 'America/New_York', dc: 'America/New_York',
  nyc: 'America/New_York', montreal: 'America/Toronto', ottawa: 'America/Toronto', calgary: 'America/Edmonton',
  manchester: 'Europe/London', birmingham: 'Europe/London', glasgow: 'Europe/London', edinburgh: 'Europe/London',
  cardiff: 'Europe/London', belfast: 'Europe/London', cork: 'Europe/Dublin', galway: 'Europe/Dublin',
  canberra: 'Australia/Sydney', wellington: 'Pacific/Auckland', christchurch: 'Pacific/Auckland',
};

let zoneIndex: Map<string, string> | undefined;
/** Lower-case lookups for every IANA name and for its city part ("london", "new york"). */
function zones(): Map<string, string> {
  if (zoneIndex) return zoneIndex;
  zoneIndex = new Map();
  for (const zone of Intl.supportedValuesOf('timeZone')) {
    zoneIndex.set(zone.toLowerCase(), zone);
    const city = zone.split('/').pop()!.replace(/_/g, ' ').toLowerCase();
    if (!zoneIndex.has(city)) zoneIndex.set(city, zone);
  }
  zoneIndex.set('utc', 'UTC');
  return zoneIndex;
}

/** "Europe/London", "EST", "pacific", "London", "new york" → an IANA zone; null if unknown. */
export function resolveZone(text: string): string | null {
  const key = text.trim().toLowerCase().replace(/[_\s]+/g, ' ').replace(/[.!?]+$/, '');
  if (!key) return null;
  return ALIASES[key] ?? zones().get(key) ?? zones().get(key.replace(/ ?\/ ?/g, '/').replace(/ /g, '_')) ?? null;
}

export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
