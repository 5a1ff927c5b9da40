import { inject } from 'vitest';
import { createFixedClock } from '../../src/adapters/clock.ts';
import { readLocalConfig } from '../../src/config.ts';
import { startLocalStack, type LocalStack } from '../../src/local/stack.ts';

/** Leg day in these tests: a Monday evening, 18:00 UTC. */
export const LEG_DAY = new Date('2026-03-02T18:00:00.000Z');

/**
 * The real local stack (Hono app over HTTP, DynamoDB Local, Twilio stand-in, sweeper) on a fresh
 * table in the shared DynamoDB Local, with a clock that only moves when told.
 */
export async function startTestStack(env: Record<string, string> = {}, start = LEG_DAY): Promise<LocalStack> {
  const endpoint = inject('dynamoEndpoint');
  return startLocalStack({
    config: readLocalConfig({ PORT: '0', LOG_LEVEL: 'SILENT', ...env }),
    persist: false,
    sweepEveryMs: null,
    clock: createFixedClock(start),
    dynamo: { endpoint, port: Number(new URL(endpoint).port), stop: async () => {} },
  });
}

export async function post<T = unknown>(stack: LocalStack, path: string, body: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(stack.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}

export async function text(stack: LocalStack, from: string, body: string): Promise<string | null> {
  const res = await post<{ reply: string | null; error?: string }>(stack, '/dev/sms', { from, body });
  if (res.status !== 200) throw new Error(`/dev/sms answered ${res.status}: ${res.json.error}`);
  return res.json.reply;
}

export async function advance(stack: LocalStack, minutes: number) {
  const res = await post<{ now: string; sent: { to: string; stepId: string; body: string }[] }>(stack, '/dev/clock', {
    advanceMinutes: minutes,
  });
  return res.json;
}

export async function outbox(stack: LocalStack, to?: string) {
  const res = await fetch(stack.url + '/dev/outbox' + (to ? `?to=${encodeURIComponent(to)}` : ''));
  return ((await res.json()) as { messages: { to: string; channel: string; body: string; sentAt: string }[] }).messages;
}
