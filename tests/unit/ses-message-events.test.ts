import { describe, expect, it } from 'vitest';
import { decodeReminderTag, encodeReminderTag } from '../../src/core/reminder-tag.ts';
import { readSesEvent } from '../../src/core/ses-events.ts';

const ref = { userId: 'email:a+b@example.com', series: 'c1', stepId: 'ice-1' };
const mail = { messageId: 'ses-1', tags: { 'legday-reminder': [encodeReminderTag(ref)] } };
/** The message-level meaning of an SES event (its address changes are in email.test.ts). */
const emailMessageEvent = (event: unknown) => readSesEvent(event).message;

describe('emailMessageEvent', () => {
  it('the tag is SES-safe (letters, digits, _ and - only) and names the reminder', () => {
    expect(encodeReminderTag(ref)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(emailMessageEvent({ eventType: 'Delivery', mail })).toEqual({ ref, messageId: 'ses-1', status: 'delivered', detail: null });
  });

  it('a permanent bounce and a complaint count; a transient bounce, other events and untagged mail do not', () => {
    expect(emailMessageEvent({ eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bounceSubType: 'Suppressed' } })).toMatchObject({ status: 'bounced', detail: 'Suppressed' });
    expect(emailMessageEvent({ notificationType: 'Complaint', mail, complaint: { complaintFeedbackType: 'abuse' } })).toMatchObject({ status: 'complained', detail: 'abuse' });
    expect(emailMessageEvent({ eventType: 'Bounce', mail, bounce: { bounceType: 'Transient' } })).toBeNull();
    expect(emailMessageEvent({ eventType: 'Send', mail })).toBeNull();
    expect(emailMessageEvent({ eventType: 'Delivery', mail: { messageId: 'x' } })).toBeNull();
  });

  it('a tag decodes to the reminder it was encoded from; anything else to null', () => {
    expect(decodeReminderTag(encodeReminderTag(ref))).toEqual(ref);
    for (const junk of ['', '%%%', Buffer.from('null').toString('base64url'), Buffer.from('{"u":"a","s":"c1","k":""}').toString('base64url')]) {
      expect(decodeReminderTag(junk), junk).toBeNull();
    }
  });

  it('one read gives both meanings of an event: the address it stops and the reminder email it reports on', () => {
    const bounce = { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'A+B@example.com' }] } };
    expect(readSesEvent(bounce)).toEqual({
      changes: [{ address: 'a+b@example.com', to: 'bounced', detail: 'SES hard bounce (General)' }],
      message: { ref, messageId: 'ses-1', status: 'bounced', detail: 'General' },
    });
    expect(readSesEvent({ eventType: 'Delivery', mail })).toEqual({ changes: [], message: { ref, messageId: 'ses-1', status: 'delivered', detail: null } });
    expect(readSesEvent({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'b@x.com' }] } })).toEqual({
      changes: [{ address: 'b@x.com', to: 'complained', detail: 'SES complaint (not given)' }],
      message: null,
    });
  });

  it('garbage in a tag or event is ignored, never thrown', () => {
    for (const e of [null, 'x', 1, {}, { eventType: 'Delivery', mail: { messageId: 'x', tags: { 'legday-reminder': ['%%%'] } } }, { eventType: 'Delivery', mail: { messageId: 'x', tags: { 'legday-reminder': [Buffer.from('{"u":1}').toString('base64url')] } } }]) {
      expect(emailMessageEvent(e)).toBeNull();
    }
  });
});
