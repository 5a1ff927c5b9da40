import { describe, expect, it } from 'vitest';
import type { ReceiptVerdicts } from '../../src/core/inbound-email.ts';
import { acceptSender, aligned, domainOf } from '../../src/core/sender-auth.ts';

const ok: ReceiptVerdicts = { spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' };
const own = { from: 'amy@example.com', envelopeFrom: 'bounce@example.com', dkimDomains: ['example.com'] };

describe('inbound sender authentication (pure)', () => {
  it.each([
    [{ ...ok }, true],
    [{ ...ok, spf: 'FAIL' as const }, true],
    [{ ...ok, dkim: 'GRAY' as const }, true],
    [{ ...ok, spf: 'FAIL' as const, dkim: 'FAIL' as const }, false],
    [{ ...ok, dmarc: 'FAIL' as const }, false],
    [{ ...ok, spam: 'FAIL' as const }, false],
    [{ ...ok, virus: 'FAIL' as const }, false],
  ])('verdicts %j from an aligned sender → accepted %s', (v, accepted) => expect(acceptSender(v, own).ok).toBe(accepted));

  // Without DMARC (the From domain has no policy, or SES could not evaluate it), SPF and DKIM
  // passes only count for a domain aligned with From.
  it.each(['GRAY', 'PROCESSING_FAILED', 'DISABLED'] as const)(
    'with DMARC %s, an SPF or DKIM pass for the spoofer\'s own domain does not let them act as someone else',
    (dmarc) => {
      const spoof = { from: 'victim@nodmarc.example', envelopeFrom: 'me@attacker.example', dkimDomains: ['attacker.example'] };
      expect(acceptSender({ ...ok, dmarc }, spoof)).toEqual({ ok: false, reason: expect.stringContaining('not aligned') });
      // A passing signature of the attacker's beside an aligned-looking one is not enough either.
      expect(acceptSender({ ...ok, dmarc, spf: 'FAIL' }, { ...spoof, dkimDomains: ['attacker.example', 'nodmarc.example'] }).ok).toBe(false);
      // The real owner, aligned by either route, still gets through.
      expect(acceptSender({ ...ok, dmarc, dkim: 'FAIL' }, { ...spoof, envelopeFrom: 'bounces@mail.nodmarc.example' }).ok).toBe(true);
      expect(acceptSender({ ...ok, dmarc, spf: 'FAIL' }, { ...spoof, dkimDomains: ['nodmarc.example'] }).ok).toBe(true);
      expect(acceptSender({ ...ok, dmarc, spf: 'FAIL' }, { ...spoof, dkimDomains: [] }).ok).toBe(false);
      expect(acceptSender({ ...ok, dmarc, dkim: 'FAIL' }, { ...spoof, envelopeFrom: null }).ok).toBe(false);
    },
  );

  it('aligns a domain with itself and its parent, never with a sibling, a bare TLD or a lookalike', () => {
    expect(aligned('example.com', 'example.com')).toBe(true);
    expect(aligned('mail.example.com', 'example.com')).toBe(true);
    expect(aligned('example.com', 'eu.example.com')).toBe(true);
    expect(aligned('a.example.com', 'b.example.com')).toBe(false);
    expect(aligned('com', 'example.com')).toBe(false);
    expect(aligned('badexample.com', 'example.com')).toBe(false);
    expect(domainOf('Amy@Example.COM')).toBe('example.com');
    expect(domainOf('no-domain')).toBeNull();
  });
});
