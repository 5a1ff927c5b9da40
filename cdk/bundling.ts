/**
 * How every Lambda bundle is built, in one place, with two views of the same settings:
 *
 * - `cdkBundling`: the `bundling` props of CDK's NodejsFunction (used by cdk/legday-function.ts);
 * - `esbuildOptions`: the esbuild build options equal to the command NodejsFunction runs for those
 *   props (aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js, `buildEsbuildArgs`), for the benchmark and
 *   the tests, which build the bundles exactly as they are deployed without loading aws-cdk-lib.
 *
 * tests/lambda/bundling.test.ts builds the functions through CDK and through `esbuildOptions` and
 * checks the two bundles are byte for byte the same.
 */
import type { BuildOptions } from 'esbuild';
import type { BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { fileURLToPath } from 'node:url';

/** The repository root: CDK's projectRoot, and the directory esbuild runs in. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Modules left out of every bundle and loaded from the Lambda runtime instead. None: the AWS SDK
 * goes into each function rather than the runtime's copy (bench row 1 times both in one run; the
 * bundled client initialised 2.3x faster).
 */
export const EXTERNAL_MODULES: readonly string[] = [];

/** The settings themselves; both views below are built from these and nothing else. */
export const BUNDLE = {
  format: 'esm',
  target: 'node22',
  minify: true,
  sourceMap: true,
  /**
   * The map without the sources' text: stack traces only need the mappings, and Node reads the
   * whole map at every cold start (bench row 1: the api's map went from 4.5 MB to 1.4 MB).
   */
  sourcesContent: false,
  /** Prefer a package's ES module build: smaller bundles for packages that ship both. */
  mainFields: ['module', 'main'],
  /** ESM bundles of CommonJS dependencies (twilio) still call require(). */
  banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
  externalModules: EXTERNAL_MODULES,
} as const;

/**
 * How every function runs its bundle: stack traces in the logs point at our sources through the
 * source map. The benchmark starts its Node processes with the same options.
 */
export const RUNTIME_NODE_OPTIONS = '--enable-source-maps';

/** NodejsFunction's ESM output file name (`index.js` for CommonJS). */
export const BUNDLE_FILE = 'index.mjs';

/** The `bundling` props of NodejsFunction. */
export function cdkBundling(): BundlingOptions {
  return {
    format: BUNDLE.format as OutputFormat,
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    sourceMap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    mainFields: [...BUNDLE.mainFields],
    banner: BUNDLE.banner,
    // Always named, so CDK's default (which a feature flag can widen to @smithy/*) never decides it.
    externalModules: [...BUNDLE.externalModules],
  };
}

/** A function's entry, relative to the project root, as NodejsFunction is given it. */
export const functionEntry = (name: string) => `functions/${name}.ts`;

/**
 * The esbuild options NodejsFunction uses with the props above: in the project root it runs
 * `esbuild --bundle <entry> --target=node22 --platform=node --format=esm --outfile=<dir>/index.mjs
 * --minify --sourcemap --sources-content=false --external:... --banner:js=... --main-fields=module,main`.
 * `outfile` is where to write the bundle (its source map goes beside it); CDK names it `index.mjs`.
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    bundle: true,
    target: BUNDLE.target,
    platform: 'node',
    format: BUNDLE.format,
    outfile,
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    external: [...BUNDLE.externalModules],
    banner: { js: BUNDLE.banner },
    mainFields: [...BUNDLE.mainFields],
  };
}
