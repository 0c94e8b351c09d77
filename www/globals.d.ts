// Names build.sh defines in the bundles (esbuild --define); absent from the unbundled sources.

/** Each wasm glue script's static imports, relative to it (wasm-modules.js). */
declare const PIXELWISE_GLUE_IMPORTS: Record<string, string[]> | undefined;
