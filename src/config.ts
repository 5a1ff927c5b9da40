import { z } from 'zod';
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
const mailFrom = z
  .string()
  .regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, 'must be an address, optionally with a name: legday <coach@example.com>');
export const mailAddress = (from: string) => (/<([^>]+)>/.exec(from)?.[1] ?? from).toLowerCase();

const timezone = z
  .string()
  .refine(isValidZone, 'must be an IANA time zone such as America/New_York')
  .default('America/New_York');
const countries = z
  .string()
  .transform((s) => s.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[A-Z]{2}$/, 'use two-letter country codes, e.g. US,CA,GB')).min(1));
const perHour = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
/** Shared by local and Lambda: abuse limits and the sender's pace. */
const limitsShape = {
  ALLOWED_COUNTRIES: countries.default([...DEFAULT_LIMITS.allowedCountries]),
  RATE_REPLIES_PER_NUMBER_PER_HOUR: perHour(DEFAULT_LIMITS.repliesPerNumber),
  RATE_REPLIES_PER_HOUR: perHour(DEFAULT_LIMITS.repliesTotal),
  RATE_ENROLMENTS_PER_HOUR: perHour(DEFAULT_LIMITS.enrolmentsTotal),
  /** Confirmation emails the sign-up page may send per hour, for everyone together. */
  RATE_CONFIRMATION_EMAILS_PER_HOUR: perHour(DEFAULT_LIMITS.confirmationEmailsTotal),
  /** 1 for a US long code; toll-free and short codes allow more. 0 means no cap. */
  SEND_RATE_PER_SECOND: z.coerce.number().min(0).max(1000).default(1),
};
const limitsOf = (c: { [K in keyof typeof limitsShape]: z.infer<(typeof limitsShape)[K]> }): AbuseLimits => ({
  allowedCountries: c.ALLOWED_COUNTRIES,
  repliesPerNumber: c.RATE_REPLIES_PER_NUMBER_PER_HOUR,
  repliesTotal: c.RATE_REPLIES_PER_HOUR,
  enrolmentsTotal: c.RATE_ENROLMENTS_PER_HOUR,
  confirmationEmailsTotal: c.RATE_CONFIRMATION_EMAILS_PER_HOUR,
});

const logLevel = z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).default('INFO');
const url = z
  .url({ protocol: /^https?$/ })
  .transform((u) => u.replace(/\/+$/, ''));

/** A Twilio Messaging Service (number pool, sticky sender): texts go through it instead of TWILIO_FROM. */
const messagingServiceSid = z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must look like MG followed by 32 hex digits').optional();

/** Where Twilio reports each text's delivery (the status callback), under PUBLIC_URL. */
export const STATUS_CALLBACK_PATH = '/webhooks/twilio/status';

const localSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: url.optional(),
  DATA_DIR: z.string().min(1).default('./.data'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().min(1).optional(),
  TWILIO_MESSAGING_SERVICE_SID: messagingServiceSid,
  DEFAULT_TIMEZONE: timezone,
  LOG_LEVEL: logLevel,
  MAIL_FROM: mailFrom.default(LOCAL_MAIL_FROM),
  /** The local SES (aws-ses-v2-local) and its web viewer; 0 picks a free port. */
  SES_PORT: z.coerce.number().int().min(0).max(65535).default(8005),
  LINK_SIGNING_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
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
    defaultTimezone: c.DEFAULT_TIMEZONE,
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

const lambdaSchema = z.object({
  TABLE_NAME: z.string().min(1),
  PUBLIC_URL: url,
  /** Secrets Manager secret holding {"accountSid", "authToken"}; never the values themselves. */
  TWILIO_SECRET_ARN: z.string().regex(/^arn:aws[\w-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN'),
  TWILIO_FROM: z.string().min(1),
  TWILIO_MESSAGING_SERVICE_SID: messagingServiceSid,
  /** Twilio's API at another address (the Lambda tests' stand-in), as AWS_ENDPOINT_URL_* is for AWS; unset in the stack. */
  TWILIO_API_URL: url.optional(),
  AWS_REGION: z.string().min(1),
  MAIL_FROM: mailFrom,
  /** SES configuration set whose event destination (SNS) reports bounces and complaints. */
  SES_CONFIGURATION_SET: z.string().min(1),
  /** The SNS topic those events arrive from; messages from any other topic are refused. */
  SES_EVENTS_TOPIC_ARN: z.string().regex(/^arn:aws[\w-]*:sns:/, 'must be an SNS topic ARN'),
  /** Secrets Manager secret holding the key that signs email links (a plain string). */
  LINK_SECRET_ARN: z.string().regex(/^arn:aws[\w-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN'),
  /** Where the SES receipt rule stores inbound mail (the inbound-email function only). */
  MAIL_BUCKET: z.string().min(1).optional(),
  MAIL_PREFIX: z.string().default('inbound/'),
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
    defaultTimezone: c.DEFAULT_TIMEZONE,
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
export const twilioSecretSchema = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'accountSid must look like AC followed by 32 hex digits'),
  authToken: z.string().min(16, 'authToken looks too short'),
});

export function parseTwilioSecret(raw: unknown): z.infer<typeof twilioSecretSchema> {
  const res = twilioSecretSchema.safeParse(raw);
  if (res.success) return res.data;
  throw new ConfigError(`The Twilio secret is not usable:\n${res.error.issues.map((i) => `  ${i.message}`).join('\n')}`);
}

/**
 * The Twilio secret as Secrets Manager returns it (a string). JSON.parse's own error quotes the
 * start of its input, which here is a credential: it is never passed on, nor is any of the value.
 */
export function parseTwilioSecretText(raw: unknown): z.infer<typeof twilioSecretSchema> {
  if (typeof raw !== 'string') throw new ConfigError('The Twilio secret is not usable:\n  it is not a string (expected JSON text)');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(`The Twilio secret is not usable:\n  it is not JSON (${raw.length} characters); expected an object with accountSid and authToken`);
  }
  return parseTwilioSecret(value);
}

function parse<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  // Empty strings count as unset: `FOO= npm start` should fall back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const res = schema.safeParse(cleaned);
  if (res.success) return res.data;
  const problems = res.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
  throw new ConfigError(`Invalid configuration:\n${problems}`);
}
