import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE, BUNDLE_FILE, RUNTIME_NODE_OPTIONS, cdkBundling, esbuildOptions, functionEntry } from '../../cdk/bundling.ts';
import { LegdayFunction } from '../../cdk/legday-function.ts';

const NAMES = ['api', 'sweeper', 'inbound-email'] as const;
const dir = mkdtempSync(join(tmpdir(), 'legday-bundling-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each function bundled by CDK itself: a stack of the deployed construct, synthesized with bundling on. */
function bundledByCdk(): Record<string, { code: Buffer; map: { mappings: string; names: string[] } }> {
  const app = new App({ outdir: join(dir, 'cdk.out'), context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Bundles');
  for (const name of NAMES) new LegdayFunction(stack, name, { name, stage: 'test', retain: false });
  const template = app.synth().getStackByName('Bundles').template as { Resources: Record<string, { Type: string; Metadata?: Record<string, string>; Properties: { FunctionName?: string } }> };
  const out: ReturnType<typeof bundledByCdk> = {};
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const name = r.Properties.FunctionName!.replace('legday-test-', '');
    const asset = join(dir, 'cdk.out', r.Metadata!['aws:asset:path']!);
    out[name] = { code: readFileSync(join(asset, BUNDLE_FILE)), map: JSON.parse(readFileSync(join(asset, `${BUNDLE_FILE}.map`), 'utf8')) };
  }
  return out;
}

describe('one source for the bundling options', () => {
  it('the esbuild view builds, byte for byte, the bundle that CDK deploys for each function', async () => {
    const cdk = bundledByCdk();
    expect(Object.keys(cdk).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) {
      const outfile = join(dir, 'raw', name, BUNDLE_FILE);
      await build({ ...esbuildOptions(functionEntry(name), outfile), logLevel: 'silent' });
      const code = readFileSync(outfile);
      expect(code.length, name).toBeGreaterThan(10_000);
      expect(code.equals(cdk[name]!.code), `${name}: the bundles differ`).toBe(true);
      // The source maps differ only in where the sources are relative to the output directory.
      const map = JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as { mappings: string; names: string[] };
      expect(map.mappings === cdk[name]!.map.mappings && map.names.join() === cdk[name]!.map.names.join(), `${name}: the source maps differ`).toBe(true);
    }
    // Six full bundles on a shared two-core CI machine: ~40 s under a full run's load.
  }, 240_000);

  it('the two views carry the same settings, field by field', () => {
    const c = cdkBundling();
    const e = esbuildOptions(functionEntry('api'), '/x/index.mjs');
    expect(e).toMatchObject({ format: c.format, target: c.target, minify: c.minify, sourcemap: c.sourceMap, sourcesContent: c.sourcesContent, mainFields: c.mainFields, banner: { js: c.banner }, external: c.externalModules, platform: 'node', bundle: true });
    expect(c).toMatchObject({ format: 'esm', target: 'node22', minify: true, sourceMap: true, sourcesContent: false });
    // The banner gives the ESM bundle the require() its CommonJS dependencies (twilio) call.
    expect(BUNDLE.banner).toContain('createRequire');
  });

  it('a stack trace from the minified bundle still names our source file, though the map carries no sources', async () => {
    const outfile = join(dir, 'trace', BUNDLE_FILE);
    await build({ ...esbuildOptions(functionEntry('api'), outfile), logLevel: 'silent' });
    const map = JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
    // Without its configuration the api throws at init, from src/config.ts, as it would on Lambda.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(`file://${outfile}`)})`], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: RUNTIME_NODE_OPTIONS },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/src\/config\.ts:\d+/);
  }, 60_000);
});
