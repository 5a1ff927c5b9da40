/**
 * Request validation for the routes: Hono validators (hono/validator) running valibot schemas.
 * Valibot is tree-shakable, so the api bundle carries only the checks it uses (zod cost the api
 * 443 KB and a large share of its cold start). A refusal is a 4xx with the reason, never a 500.
 */
import type { Context } from 'hono';
import * as v from 'valibot';

/** The issues' messages, joined: what a client is told is wrong. Never the received values. */
export const reasons = (issues: readonly v.BaseIssue<unknown>[]) => issues.map((i) => i.message).join('; ');

/**
 * A form body's fields, read from the raw body whatever its Content-Type says (a Twilio
 * signature covers exactly these), or the name of a field that is repeated: one value a field.
 */
export async function formFields(c: Context): Promise<{ fields: Record<string, string> } | { repeated: string }> {
  const form = new URLSearchParams(await c.req.text());
  const fields: Record<string, string> = {};
  for (const key of new Set(form.keys())) {
    if (form.getAll(key).length > 1) return { repeated: key };
    fields[key] = form.get(key)!;
  }
  return { fields };
}

/** The body as JSON whatever its Content-Type (SNS posts JSON as text/plain), or undefined. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text()) as unknown;
  } catch {
    return undefined;
  }
}
