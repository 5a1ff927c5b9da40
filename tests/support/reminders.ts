import { readReminderMessage } from '../../src/adapters/dynamo/stored-reply.ts';
import { wordStepSms } from '../../src/core/channel.ts';

/**
 * The text a stored reminder item goes out with: its step worded as the sweeper words it, or the
 * words one planned before wording moved to send time holds.
 */
export function textOf(item: Record<string, unknown>): string {
  const message = readReminderMessage('sms', item.body);
  if (message?.channel !== 'sms') throw new Error(`not a text reminder's body: ${JSON.stringify(item.body)}`);
  return message.stored ?? wordStepSms({ stepId: String(item.stepId), vars: message.vars });
}
