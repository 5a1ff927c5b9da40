import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../use-cases/ports.ts';

// Not inside a longer token: a MessageSid's hex digits are not a phone number.
const PHONE = /(?<![\w+])\+?\d[\d\s().-]{6,}\d(?!\w)/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)/g;
/** Fields whose whole value is private: message text never reaches the logs. */
const REDACTED_KEYS = new Set(['body', 'Body', 'text', 'reply', 'subject', 'html']);

/** "+15551234567" becomes "+1******4567": enough to tell numbers apart, not to text one. */
export function maskPhone(s: string): string {
  return s.replace(PHONE, (m) => {
    const digits = m.replace(/\D/g, '');
    if (digits.length < 7) return m;
    return `${m.startsWith('+') ? '+' : ''}${digits.slice(0, 1)}${'*'.repeat(digits.length - 5)}${digits.slice(-4)}`;
  });
}

export function maskPersonal(value: unknown, key = ''): unknown {
  if (REDACTED_KEYS.has(key) && value !== null && value !== undefined) return `[${String(value).length} chars]`;
  if (typeof value === 'string') return maskPhone(value).replace(EMAIL, '$1***@$2');
  if (Array.isArray(value)) return value.map((v) => maskPersonal(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonal(v, k)]));
  }
  return value;
}

/** Structured JSON logs (Powertools) with phone numbers, emails and message bodies masked. */
export function createLog(opts: { serviceName: string; level?: string }): Log {
  const logger = new Logger({ serviceName: opts.serviceName, logLevel: (opts.level ?? 'INFO') as 'INFO' });
  const emit =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}) =>
      logger[level](maskPhone(message), maskPersonal(fields) as Record<string, unknown>);
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
