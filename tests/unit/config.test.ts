import { describe, expect, it } from 'vitest';
import { ConfigError, LOCAL_TWILIO_AUTH_TOKEN, parseTwilioSecret, parseTwilioSecretText, readLambdaConfig, readLocalConfig } from '../../src/config.ts';

describe('readLocalConfig', () => {
  it('has working defaults for a newcomer', () => {
    const c = readLocalConfig({});
    expect(c).toMatchObject({ port: 3000, publicUrl: 'http://localhost:3000', dataDir: './.data' });
    expect(c.twilio).toMatchObject({ mode: 'standin', authToken: LOCAL_TWILIO_AUTH_TOKEN, defaultToken: true });
  });

  it('PUBLIC_URL follows PORT, and a trailing slash is dropped', () => {
    expect(readLocalConfig({ PORT: '4000' }).publicUrl).toBe('http://localhost:4000');
    expect(readLocalConfig({ PUBLIC_URL: 'https://abc.ngrok.app/' }).publicUrl).toBe('https://abc.ngrok.app');
  });

  it('real Twilio credentials switch to real sending', () => {
    const c = readLocalConfig({
      TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32),
      TWILIO_AUTH_TOKEN: 'secret',
      TWILIO_FROM: '+15005550006',
    });
    expect(c.twilio.mode).toBe('real');
  });

  it('TWILIO_MESSAGING_SERVICE_SID is checked and kept beside TWILIO_FROM', () => {
    const sid = 'MG' + 'b'.repeat(32);
    expect(readLocalConfig({ TWILIO_MESSAGING_SERVICE_SID: sid }).twilio.messagingServiceSid).toBe(sid);
    expect(readLocalConfig({}).twilio.messagingServiceSid).toBeUndefined();
    expect(() => readLocalConfig({ TWILIO_MESSAGING_SERVICE_SID: '+15005550006' })).toThrow(/TWILIO_MESSAGING_SERVICE_SID/);
  });

  it('names every bad value at once', () => {
    expect(() => readLocalConfig({ PORT: 'abc', PUBLIC_URL: 'not a url' })).toThrow(ConfigError);
    expect(() => readLocalConfig({ PORT: 'abc', PUBLIC_URL: 'not a url' })).toThrow(/PORT[\s\S]*PUBLIC_URL|PUBLIC_URL[\s\S]*PORT/);
  });
});

describe('readLambdaConfig', () => {
  it('lists every missing key', () => {
    try {
      readLambdaConfig({});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      for (const key of ['TABLE_NAME', 'PUBLIC_URL', 'TWILIO_SECRET_ARN', 'TWILIO_FROM', 'AWS_REGION']) {
        expect((err as Error).message).toContain(key);
      }
    }
  });
});

describe('parseTwilioSecret', () => {
  it('takes the documented shape and says what is wrong with anything else, without echoing it', () => {
    const good = { accountSid: 'AC' + 'a'.repeat(32), authToken: 'x'.repeat(32) };
    expect(parseTwilioSecret(good)).toEqual(good);
    try {
      parseTwilioSecret({ accountSid: 'nope', authToken: 'short-secret' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/accountSid/);
      expect((err as Error).message).not.toContain('short-secret');
    }
  });

  it('a secret that is not JSON fails without quoting any of it (JSON.parse would)', () => {
    for (const raw of ['AC0123456789abcdef-not-json', '{"accountSid": "AC0123456789abcdef', 'sk_live_secretvalue']) {
      try {
        parseTwilioSecretText(raw);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        const message = (err as Error).message;
        expect(message).toMatch(/not JSON/);
        for (const piece of [raw.slice(0, 6), raw.slice(1, 5), 'AC0123', 'sk_live', 'secretvalue']) expect(message).not.toContain(piece);
      }
    }
    expect(parseTwilioSecretText(JSON.stringify({ accountSid: 'AC' + 'a'.repeat(32), authToken: 'x'.repeat(32) })).authToken).toBe('x'.repeat(32));
  });

  it('RATE_CONFIRMATION_EMAILS_PER_HOUR defaults to 100 and must be a positive whole number', () => {
    expect(readLocalConfig({}).limits.confirmationEmailsTotal).toBe(100);
    expect(readLocalConfig({ RATE_CONFIRMATION_EMAILS_PER_HOUR: '7' }).limits.confirmationEmailsTotal).toBe(7);
    for (const bad of ['0', '-1', '1.5', 'lots']) expect(() => readLocalConfig({ RATE_CONFIRMATION_EMAILS_PER_HOUR: bad }), bad).toThrow(/RATE_CONFIRMATION_EMAILS_PER_HOUR/);
  });
});
