import { describe, expect, it } from 'vitest';
import { maskPersonal, maskPhone } from '../../src/adapters/log.ts';

describe('log masking', () => {
  it.each([
    ['+15551234567', '+1******4567'],
    ['call +44 7700 900123 now', 'call +4*******0123 now'],
    ['no numbers here', 'no numbers here'],
    ['squat 140', 'squat 140'],
    ['SM6a285fae91234567893579bb2f53de', 'SM6a285fae91234567893579bb2f53de'],
    ['from 07700 900123.', 'from 0******0123.'],
  ])('%j -> %j', (input, out) => expect(maskPhone(input)).toBe(out));

  it('hides message bodies and masks numbers and emails inside nested fields', () => {
    const masked = maskPersonal({ to: '+15551234567', body: 'legs done', nested: { email: 'lifter@example.com' } });
    expect(JSON.stringify(masked)).not.toContain('5551234567');
    expect(JSON.stringify(masked)).not.toContain('legs done');
    expect(JSON.stringify(masked)).not.toContain('lifter@');
    expect(masked).toMatchObject({ body: '[9 chars]', nested: { email: 'l***@example.com' } });
  });
});
