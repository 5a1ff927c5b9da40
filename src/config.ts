import * as v from 'valibot';
import { DEFAULT_LIMITS, type AbuseLimits } from './core/limits.ts';
import { isValidZone } from './core/zones.ts';

/**
 * All configuration, read from the environment once at start-up and validated. A missing or bad
 * value fails fast with every problem listed, instead of surfacing later as a confusing error.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Documented in the README: local mode signs and checks webhooks with this unless told otherwise. */
export const LOCAL_TWILIO_AUTH_TOKEN = 'legday-local-auth-token';
export const LOCAL_TWILIO_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const LOCAL_SERVICE_NUMBER = '+15005550006';
/** Local mode signs email links with this unless LINK_SIGNING_SECRET is set. */
export const LOCAL_LINK_SECRET = 'legday-local-link-signing-secret';
export const LOCAL_MAIL_FROM = 'legday <coach@legday.local>';
export const LOCAL_SES_EVENTS_TOPIC = 'arn:aws:sns:us-east-1:000000000000:legday-local-ses-events';

/** "legday <coach@legday.example>" or a bare address; the address part is also where replies land. */
const mailFrom = v.pipe(
  v.string(),
  v.regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, 'must be an address, optionally with a name: legday <coach@example.com>'),
);
export const mailAddress = (from: string) => (/<([^>]+)>/.exec(from)?.[1] ?? from).toLowerCase();

// The default is not checked: the first Intl time zone costs ~10 ms of ICU start-up, paid later if at all.
const timezone = v.optional(v.pipe(v.string(), v.check(isValidZone, 'must be an IANA time zone such as America/New_York')));
const DEFAULT_TIMEZONE = 'America/New_York';
const countries = v.pipe(
  v.string(),
  v.transform((s) => s.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean)),
  v.array(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'use two-letter country codes, e.g. US,CA,GB'))),
  v.minLength(1, 'name at least one country, e.g. US'),
);
/** A number from the environment (a string), as Number() reads it; "lots" is not one. */
const envNumber = () => v.pipe(v.string(), v.transform(Number), v.number('must be a number'));
const perHour = (fallback: number) =>
  v.optional(v.pipe(envNumber(), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1')), String(fallback));
/** Shared by local and Lambda: abuse limits and the sender's pace. */
const limitsShape = {
  ALLOWED_COUNTRIES: v.optional(countries, DEFAULT_LIMITS.allowedCountries.join(',')),
  RATE_REPLIES_PER_NUMBER_PER_HOUR: perHour(DEFAULT_LIMITS.repliesPerNumber),
  RATE_REPLIES_PER_HOUR: perHour(DEFAULT_LIMITS.repliesTotal),
  RATE_ENROLMENTS_PER_HOUR: perHour(DEFAULT_LIMITS.enrolmentsTotal),
  /** Confirmation emails the sign-up page may send per hour, for everyone together. */
  RATE_CONFIRMATION_EMAILS_PER_HOUR: perHour(DEFAULT_LIMITS.confirmationEmailsTotal),
  /** 1 for a US long code; toll-free and short codes allow more. 0 means no cap. */
  SEND_RATE_PER_SECOND: v.optional(v.pipe(envNumber(), v.minValue(0, 'must be 0 or more'), v.maxValue(1000, 'must be at most 1000')), '1'),
};
const limitsOf = (c: { [K in keyof typeof limitsShape]: v.InferOutput<(typeof limitsShape)[K]> }): AbuseLimits => ({
  allowedCountries: c.ALLOWED_COUNTRIES,
  repliesPerNumber: c.RATE_REPLIES_PER_NUMBER_PER_HOUR,
  repliesTotal: c.RATE_REPLIES_PER_HOUR,
  enrolmentsTotal: c.RATE_ENROLMENTS_PER_HOUR,
  confirmationEmailsTotal: c.RATE_CONFIRMATION_EMAILS_PER_HOUR,
});

const logLevel = v.optional(v.picklist(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL'], 'must be DEBUG, INFO, WARN, ERROR, SILENT or CRITICAL'), 'INFO');
const url = v.pipe(
  v.string(),
  v.url('must be a URL'),
  v.check((u) => /^https?:\/\//i.test(u), 'must be an http or https URL'),
  v.transform((u) => u.replace(/\/+$/, '')),
);

/** A Twilio Messaging Service (number pool, sticky sender): texts go through it instead of TWILIO_FROM. */
const messagingServiceSid = v.optional(v.pipe(v.string(), v.regex(/^MG[0-9a-fA-F]{32}$/, 'must look like MG followed by 32 hex digits')));
const port = v.optional(v.pipe(envNumber(), v.integer('must be a whole number'), v.minValue(0, 'must be 0 to 65535'), v.maxValue(65535, 'must be 0 to 65535')), '3000');
const nonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));

/** Where Twilio reports each text's delivery (the status callback), under PUBLIC_URL. */
export const STATUS_CALLBACK_PATH = '/webhooks/twilio/status';

const localSchema = v.object({
  PORT: port,
  PUBLIC_URL: v.optional(url),
  DATA_DIR: v.optional(nonEmpty, './.data'),
  TWILIO_ACCOUNT_SID: v.optional(v.pipe(v.string(), v.regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits'))),
  TWILIO_AUTH_TOKEN: v.optional(nonEmpty),
  TWILIO_FROM: v.optional(nonEmpty),
  TWILIO_MESSAGING_SERVICE_SID: messagingServiceSid,
  DEFAULT_TIMEZONE: timezone,
  LOG_LEVEL: logLevel,
  MAIL_FROM: v.optional(mailFrom, LOCAL_MAIL_FROM),
  /** The local SES (aws-ses-v2-local) and its web viewer; 0 picks a free port. */
  SES_PORT: v.optional(v.pipe(envNumber(), v.integer('must be a whole number'), v.minValue(0, 'must be 0 to 65535'), v.maxValue(65535, 'must be 0 to 65535')), '8005'),
  LINK_SIGNING_SECRET: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  ...limitsShape,
});

export type LocalConfig = ReturnType<typeof readLocalConfig>;

export function readLocalConfig(env: Record<string, string | undefined> = process.env) {
  const c = parse(localSchema, env);
  const realTwilio = Boolean(c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM);
  return {
    port: c.PORT,
    publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
    dataDir: c.DATA_DIR,
    defaultTimezone: c.DEFAULT_TIMEZONE ?? DEFAULT_TIMEZONE,
    logLevel: c.LOG_LEVEL,
    limits: limitsOf(c),
    sendRatePerSecond: c.SEND_RATE_PER_SECOND,
    mailFrom: c.MAIL_FROM,
    sesPort: c.SES_PORT,
    linkSecret: c.LINK_SIGNING_SECRET ?? LOCAL_LINK_SECRET,
    /** With all three Twilio values set, the local stack sends real texts. */
    twilio: realTwilio
      ? {
          mode: 'real' as const,
          accountSid: c.TWILIO_ACCOUNT_SID!,
          authToken: c.TWILIO_AUTH_TOKEN!,
          defaultToken: false,
          from: c.TWILIO_FROM!,
          messagingServiceSid: c.TWILIO_MESSAGING_SERVICE_SID,
        }
      : {
          mode: 'standin' as const,
          accountSid: LOCAL_TWILIO_ACCOUNT_SID,
          authToken: c.TWILIO_AUTH_TOKEN ?? LOCAL_TWILIO_AUTH_TOKEN,
          defaultToken: !c.TWILIO_AUTH_TOKEN,
          from: LOCAL_SERVICE_NUMBER,
          messagingServiceSid: c.TWILIO_MESSAGING_SERVICE_SID,
        },
  };
}

const arnOf = (service: string, what: string) => v.pipe(v.string(), v.regex(new RegExp(`^arn:aws[\\w-]*:${service}:`), `must be ${what} ARN`));
const lambdaSchema = v.object({
  TABLE_NAME: nonEmpty,
  PUBLIC_URL: url,
  /** Secrets Manager secret holding {"accountSid", "authToken"}; never the values themselves. */
  TWILIO_SECRET_ARN: arnOf('secretsmanager', 'a Secrets Manager secret'),
  TWILIO_FROM: nonEmpty,
  TWILIO_MESSAGING_SERVICE_SID: messagingServiceSid,
  /** Twilio's API at another address (the Lambda tests' stand-in), as AWS_ENDPOINT_URL_* is for AWS; unset in the stack. */
  TWILIO_API_URL: v.optional(url),
  AWS_REGION: nonEmpty,
  MAIL_FROM: mailFrom,
  /** SES configuration set whose event destination (SNS) reports bounces and complaints. */
  SES_CONFIGURATION_SET: nonEmpty,
  /** The SNS topic those events arrive from; messages from any other topic are refused. */
  SES_EVENTS_TOPIC_ARN: arnOf('sns', 'an SNS topic'),
  /** Secrets Manager secret holding the key that signs email links (a plain string). */
  LINK_SECRET_ARN: arnOf('secretsmanager', 'a Secrets Manager secret'),
  /** Where the SES receipt rule stores inbound mail (the inbound-email function only). */
  MAIL_BUCKET: v.optional(nonEmpty),
  MAIL_PREFIX: v.optional(v.string(), 'inbound/'),
  DEFAULT_TIMEZONE: timezone,
  LOG_LEVEL: logLevel,
  ...limitsShape,
});

export function readLambdaConfig(env: Record<string, string | undefined> = process.env) {
  const c = parse(lambdaSchema, env);
  return {
    tableName: c.TABLE_NAME,
    publicUrl: c.PUBLIC_URL,
    region: c.AWS_REGION,
    defaultTimezone: c.DEFAULT_TIMEZONE ?? DEFAULT_TIMEZONE,
    logLevel: c.LOG_LEVEL,
    limits: limitsOf(c),
    sendRatePerSecond: c.SEND_RATE_PER_SECOND,
    twilioSecretArn: c.TWILIO_SECRET_ARN,
    twilioFrom: c.TWILIO_FROM,
    /** Texts go through this Messaging Service when set, else from TWILIO_FROM. */
    twilioMessagingServiceSid: c.TWILIO_MESSAGING_SERVICE_SID,
    twilioApiUrl: c.TWILIO_API_URL,
    mailFrom: c.MAIL_FROM,
    sesConfigurationSet: c.SES_CONFIGURATION_SET,
    sesEventsTopicArn: c.SES_EVENTS_TOPIC_ARN,
    linkSecretArn: c.LINK_SECRET_ARN,
    mailBucket: c.MAIL_BUCKET,
    mailPrefix: c.MAIL_PREFIX,
  };
}

/** The shape of the Twilio secret an operator puts in Secrets Manager (docs/deploy.md). */
export const twilioSecretSchema = v.object(
  {
    accountSid: v.pipe(v.string('accountSid must be a string'), v.regex(/^AC[0-9a-fA-F]{32}$/, 'accountSid must look like AC followed by 32 hex digits')),
    authToken: v.pipe(v.string('authToken must be a string'), v.minLength(16, 'authToken looks too short')),
  },
  'it is not an object with accountSid and authToken',
);

// Valibot's own messages quote the received value; these name the field and never the value.
export function parseTwilioSecret(raw: unknown): v.InferOutput<typeof twilioSecretSchema> {
  const res = v.safeParse(twilioSecretSchema, raw);
  if (res.success) return res.output;
  throw new ConfigError(`The Twilio secret is not usable:\n${res.issues.map((i) => `  ${i.message}`).join('\n')}`);
}

/**
 * The Twilio secret as Secrets Manager returns it (a string). JSON.parse's own error quotes the
 * start of its input, which here is a credential: it is never passed on, nor is any of the value.
 */
export function parseTwilioSecretText(raw: unknown): v.InferOutput<typeof twilioSecretSchema> {
  if (typeof raw !== 'string') throw new ConfigError('The Twilio secret is not usable:\n  it is not a string (expected JSON text)');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(`The Twilio secret is not usable:\n  it is not JSON (${raw.length} characters); expected an object with accountSid and authToken`);
  }
  return parseTwilioSecret(value);
}

function parse<T extends v.GenericSchema>(schema: T, env: Record<string, string | undefined>): v.InferOutput<T> {
  // Empty strings count as unset: `FOO= npm start` should fall back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const res = v.safeParse(schema, cleaned);
  if (res.success) return res.output;
  const problems = res.issues.map((i) => `  ${v.getDotPath(i) ?? ''}: ${i.input === undefined ? 'is required' : i.message}`).join('\n');
  throw new ConfigError(`Invalid configuration:\n${problems}`);
}
