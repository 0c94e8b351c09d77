// What the page and the sampler's worker (worker.js) say to each other, as types only: tsc checks
// every `send` of the page and every `post` of the worker against them. Nothing here runs (the
// modules name it in JSDoc only, so the browser never fetches this file).
//
// Requests carrying `gen` belong to a generation: a newer one stops the running job, and the page
// drops replies of older ones. The others (lessons, fields, the codec, the race, step mode) carry
// their own request id and never stop a generation.
export {}; // a module, so that its types can be imported: import('./messages.js').Request

/** @typedef {import('./pkg/pixelwise.js').EngineName} EngineName */
/** @typedef {import('./pkg/pixelwise.js').Metadata} Metadata */
/** @typedef {import('./pkg/pixelwise.js').Card} Card */
/** @typedef {import('./pkg/pixelwise.js').KernelMasks} KernelMasks */
/** @typedef {import('./pkg/pixelwise.js').Block} Block */
/** @typedef {import('./pkg/pixelwise.js').GridLayout} GridLayout */
/** @typedef {import('./pkg/pixelwise.js').HeadParts} HeadParts */
/** @typedef {import('./pkg/pixelwise.js').ClassReading} ClassReading */
/** @typedef {import('./pkg/pixelwise.js').CompressedHeader} CompressedHeader */
/** The position a step drew last (null when it only passed kept positions).
 *  @typedef {import('./pkg/pixelwise.js').Stepped['last']} LastDrawn */

/**
 * A result the page shows either way: the value, or why there is none.
 * @template T
 * @typedef {{ value?: T, error?: string }} Attempt
 */

// ---- the page to the worker ---------------------------------------------------------------------

/** A grid canvas handed over once (it cannot be handed over twice); later requests name it by id.
 *  @typedef {{ type: 'canvas', id: string, canvas: OffscreenCanvas }} CanvasRequest */
/** The native module compiled on the page (the boot script), or null: the worker fetches it itself.
 *  @typedef {{ type: 'wasm', module: WebAssembly.Module | null }} WasmRequest */
/** A model the page will ask for, downloaded by the page's boot script: the worker reads it now;
 *  the later 'load' of the same file finds it (and reports its errors).
 *  @typedef {{ type: 'prefetch', file: string, bytes: ArrayBuffer }} PrefetchRequest */
/** Start downloading the full module (tract) ahead of need.
 *  @typedef {{ type: 'prefetch-full' }} PrefetchFullRequest */
/** `bytes`: the file opened from the visitor's computer; null: fetched from models/.
 *  @typedef {{ type: 'load', gen: number, file: string, bytes: ArrayBuffer | null }} LoadRequest */
/**
 * Samples `n` images onto canvas `canvas`, `cols` a row (absent: as square as fits). `labels`: one
 * class per image or none; `kept`: a level per [C, H, W] position, -1 where the sampler draws (a
 * completion), or none. `readClass`: no labels, each image completes under a class drawn from the
 * model's p(class | kept rows). `stepDelayMs`: a pause after each sub-pixel, to watch the order.
 * @typedef {{ type: 'generate', gen: number, canvases: { canvas: string }, canvas: string, cols?: number, file: string,
 *   engine: EngineName, n: number, seed: number, temperature: number, labels: number[], kept: number[], guidance: number,
 *   readClass?: boolean, stepDelayMs: number }} GenerateRequest
 */
/** Decodes a compressed image onto canvas `canvas`, position by position.
 *  @typedef {{ type: 'decode', gen: number, canvases: { canvas: string }, canvas: string, file: string, bytes: Uint8Array }} DecodeRequest */
/** Ends the running job: only its generation id is new.
 *  @typedef {{ type: 'stop', gen: number }} StopRequest */
/** Traps the wasm on purpose (tests). The page sends no `gen`; the worker's generation rule reads it.
 *  @typedef {{ type: 'test-trap', gen?: number }} TestTrapRequest */
/** The wasm's memory, for the soak test; `id` is echoed (the page sends none).
 *  @typedef {{ type: 'memory', id?: number }} MemoryRequest */
/** The last grid on canvas `canvas` as a PNG, each pixel `scale` x `scale`.
 *  @typedef {{ type: 'png', id: number, canvas: string, scale: number }} PngRequest */
/**
 * The "How it works" lessons: the worked example on a 3x3 image, or the surprise map of one image
 * (`pixels` k/(L-1), `label` -1 for none).
 * @typedef {{ type: 'lesson', id: number, kind: 'worked', image: number[], weights: number[] }
 *   | { type: 'lesson', id: number, kind: 'surprise', file: string, pixels: Float32Array, label: number }} LessonRequest
 */
/** A pixel's receptive field derived from the masks and layers.
 *  @typedef {{ type: 'field', id: number, file: string, row: number, col: number }} FieldRequest */
/** One image `[C, H, W]` of levels to compress (`label` -1 for none).
 *  @typedef {{ type: 'compress', id: number, file: string, levels: Uint8Array, label: number }} CompressRequest */
/** A compressed file's header, read before its model is chosen.
 *  @typedef {{ type: 'header', id: number, bytes: Uint8Array }} HeaderRequest */
/** Naive against cached: both engines sample one image, each on its own canvas.
 *  @typedef {{ type: 'race', raceId: number, file: string, seed: number, temperature: number, labels: number[],
 *   canvases: Record<EngineName, string> }} RaceRequest */
/** Ends the running race at its next turn.
 *  @typedef {{ type: 'race-stop' }} RaceStopRequest */
/**
 * Step mode: start a native sampler for one image, then step it `count` sub-pixels at a time.
 * @typedef {{ type: 'stepper', op: 'start', stepperId: number, file: string, seed: number, temperature: number, labels: number[] }
 *   | { type: 'stepper', op: 'step', stepperId: number, count: number }} StepperRequest
 */

/**
 * Every message the page (main.js and its modules, the boot script) posts to worker.js.
 * @typedef {CanvasRequest | WasmRequest | PrefetchRequest | PrefetchFullRequest | LoadRequest | GenerateRequest
 *   | DecodeRequest | StopRequest | TestTrapRequest | MemoryRequest | PngRequest | LessonRequest | FieldRequest
 *   | CompressRequest | HeaderRequest | RaceRequest | RaceStopRequest | StepperRequest} Request
 */

// ---- the worker to the page ---------------------------------------------------------------------
// A request that can fail is answered with the same type and `error` set instead of its results.

/** The module is in; `threads`: the pool it runs on, `pool`: whether that pool is still starting
 *  (work runs on one thread until it is up); `marks`: the worker's milestones (wall-clock ms).
 *  @typedef {{ type: 'ready', threads: number, pool: 'starting' | 'up', marks: Record<string, number> }} ReadyReply */
/** The threaded module's pool is up (`threads` of them), or could not start (`error`; one thread).
 *  @typedef {{ type: 'pool', threads: number, error?: string }} PoolReply */
/** The module did not start: the sampler cannot run.
 *  @typedef {{ type: 'fatal', message: string }} FatalReply */
/** A module's download (the boot script reports the native one too): bytes so far, or `done`.
 *  @typedef {{ type: 'module', name: 'native' | 'threads' | 'full', why?: string, received?: number, total?: number, done?: boolean }} ModuleReply */
/** The wasm trapped or ran out of memory: the page starts a new worker.
 *  @typedef {{ type: 'crashed', message: string }} CrashedReply */
/** @typedef {{ type: 'memory', id?: number, wasmBytes: number, models: number }} MemoryReply */
/** `stages` for the worked example, `bits` (per sub-pixel) for a surprise map.
 *  @typedef {{ type: 'lesson', id: number, stages?: Float32Array, bits?: Float32Array, error?: string }} LessonReply */
/**
 * A race's progress (`kind` 'progress': one engine's turn) or its end ('done': both images and rates).
 * @typedef {{ type: 'race', raceId: number, error?: string, kind?: 'progress' | 'done', engine?: EngineName,
 *   position?: number, total?: number, busyMs?: number, sampled?: number, native?: Uint8Array, tract?: Uint8Array,
 *   nativeMs?: number, tractMs?: number, nativeRate?: number, tractRate?: number }} RaceReply
 */
/**
 * One step of step mode: the image so far as RGB `colours`, the head's distribution (`probs`) and a
 * mixture's components (`parts`), the field (`[H * W]`) and LSTM gates at the position drawn.
 * @typedef {{ type: 'stepper', stepperId: number, error?: string, last?: LastDrawn, colours?: Uint8Array,
 *   probs?: Float32Array, parts?: HeadParts | null, field?: Uint8Array, gates?: Float32Array, position?: number,
 *   total?: number, done?: boolean }} StepperReply
 */
/** A derived field `[H * W]`, or `measure`: no rule derives it (a file only tract runs), so the
 *  page measures it in field-worker.js.
 *  @typedef {{ type: 'field', id: number, field?: Uint8Array, source?: 'masks', ms?: number, measure?: boolean, error?: string }} FieldReply */
/** @typedef {{ type: 'png', id: number, blob?: Blob, error?: string }} PngReply */
/** `digest`: the model's, as a compressed file names it.
 *  @typedef {{ type: 'compressed', id: number, bytes?: Uint8Array, ms?: number, digest?: string, error?: string }} CompressedReply */
/** @typedef {{ type: 'header', id: number, header?: CompressedHeader, error?: string }} HeaderReply */
/**
 * A model read: what the page shows of it. `bytes`: the file's size.
 * @typedef {{ type: 'loaded', gen: number, file: string, meta: Metadata, card: Card, masks: Attempt<KernelMasks>,
 *   diagram: Attempt<Block[]>, loadMs: number, bytes: number }} LoadedReply
 */
/** A load or a job failed (not a crash).
 *  @typedef {{ type: 'error', gen: number, message: string }} ErrorReply */
/** What the job is doing before its first pixel.
 *  @typedef {{ type: 'status', gen: number, text: string }} StatusReply */
/** The job's canvas is laid out; `reading`: what a `readClass` completion read, else null.
 *  @typedef {{ type: 'grid', gen: number, layout: GridLayout, reading: ClassReading | null }} GridReply */
/**
 * A slice of a generation or a decoding. `probs`: the first image's distribution at `last` (empty
 * when decoding); `marks` on a generation's first only; `bits` and `payloadBits` when decoding.
 * @typedef {{ type: 'progress', gen: number, last: LastDrawn, position: number, total: number, prepareMs: number | null,
 *   firstPixelMs: number | null, pixelsPerSecond: number, msPerImage: number | null, probs: Float32Array, levels: number,
 *   marks?: Record<string, number>, bits?: number, payloadBits?: number }} ProgressReply
 */
/**
 * A job finished: every level `[n, C, H, W]`, its figures, and a decoding's `header`.
 * @typedef {{ type: 'done', gen: number, levelsOut: Uint8Array, position: number, total: number, prepareMs: number | null,
 *   firstPixelMs: number | null, shared: number | null, pixelsPerSecond: number, msPerImage: number, elapsedMs: number,
 *   header?: CompressedHeader }} DoneReply
 */

/**
 * Every message worker.js posts to the page (the boot script passes on the early ones, and reports the
 * native module's download as a 'module' reply of its own).
 * @typedef {ReadyReply | PoolReply | FatalReply | ModuleReply | CrashedReply | MemoryReply | LessonReply | RaceReply | StepperReply
 *   | FieldReply | PngReply | CompressedReply | HeaderReply | LoadedReply | ErrorReply | StatusReply | GridReply
 *   | ProgressReply | DoneReply} Reply
 */

// ---- the receptive-field worker (field-worker.js), a channel of its own -------------------------

/** Measure a field by perturbation; `bytes`: the file opened from the visitor's computer, else null.
 *  @typedef {{ id: number, file: string, row: number, col: number, bytes: ArrayBuffer | null }} MeasureRequest */
/**
 * 'computing' once the model is read (the long call starts), then the field or an error.
 * @typedef {{ type: 'computing', id: number } | { type: 'field', id: number, field: Uint8Array, source: 'measured', ms: number }
 *   | { type: 'error', id: number, message: string }} MeasureReply
 */
