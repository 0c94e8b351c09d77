//! Seeded mutation test: 1,000 damaged copies of every committed model file (bit flips, truncations,
//! splices, inflated initializer dimensions and metadata values) go through the loader, the metadata
//! check and both engines' construction, and a forward pass where construction succeeds. No copy may
//! panic, no single allocation may exceed `BOUND`, and every refusal must say what is wrong.
#![cfg(not(target_arch = "wasm32"))]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

use pixelwise::engine::native::NativeEngine;
use pixelwise::engine::tract::TractEngine;
use pixelwise::{Engine, ModelFile};
use prost::Message;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tract_onnx::pb::ModelProto;

/// The largest single allocation a damaged file may cause: 2 GiB (the loader caps an initializer at 1 GiB).
const BOUND: usize = 1 << 31;
static LARGEST: AtomicUsize = AtomicUsize::new(0);

struct Watch;

unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        if layout.size() > BOUND {
            return std::ptr::null_mut(); // aborts the test binary: a failure nobody can miss
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static WATCH: Watch = Watch;

const COPIES: usize = 1000;
/// Every this-many copies also build tract (its graph optimisation is the slow part).
const TRACT_EVERY: usize = 40;

fn mutate(original: &[u8], rng: &mut ChaCha8Rng) -> (&'static str, Vec<u8>) {
    let mut b = original.to_vec();
    match rng.random_range(0..100) {
        0..40 => {
            for _ in 0..rng.random_range(1..=8) {
                let i = rng.random_range(0..b.len());
                b[i] ^= 1 << rng.random_range(0..8);
            }
            ("bit flips", b)
        }
        40..55 => {
            b.truncate(rng.random_range(0..b.len()));
            ("truncation", b)
        }
        55..70 => {
            let len = rng.random_range(1..=256.min(b.len()));
            let (from, to) = (rng.random_range(0..=b.len() - len), rng.random_range(0..=b.len() - len));
            let chunk = b[from..from + len].to_vec();
            b[to..to + len].copy_from_slice(&chunk);
            ("splice", b)
        }
        70..85 => {
            let mut m = ModelProto::decode(original).expect("committed models decode");
            let g = m.graph.as_mut().expect("a graph");
            let t = rng.random_range(0..g.initializer.len());
            let dims = &mut g.initializer[t].dims;
            let huge = [1i64 << 20, 1 << 31, 1 << 40, -1, 0, i64::MAX][rng.random_range(0..6)];
            if dims.is_empty() {
                dims.push(huge);
            } else {
                let d = rng.random_range(0..dims.len());
                dims[d] = huge;
            }
            ("inflated initializer dimension", m.encode_to_vec())
        }
        _ => {
            let mut m = ModelProto::decode(original).expect("committed models decode");
            if m.metadata_props.is_empty() {
                return ("metadata (none to inflate)", original.to_vec());
            }
            let k = rng.random_range(0..m.metadata_props.len());
            let entry = &mut m.metadata_props[k];
            let huge = ["1000000", "4294967296", "-3", "1e9", "18446744073709551615", "", "[1,2"][rng.random_range(0..7)];
            if entry.key == "pixelwise.config" {
                let mut v: serde_json::Value = serde_json::from_str(&entry.value).unwrap_or_default();
                if let Some(obj) = v.as_object_mut() {
                    let keys: Vec<String> = obj.keys().cloned().collect();
                    if !keys.is_empty() {
                        let key = &keys[rng.random_range(0..keys.len())];
                        obj.insert(key.clone(), serde_json::json!([1u64 << 40, 0, 1_000_000][rng.random_range(0..3)]));
                    }
                }
                entry.value = v.to_string();
            } else {
                entry.value = huge.to_string();
            }
            ("inflated metadata", m.encode_to_vec())
        }
    }
}

/// Loads, checks and runs one copy; Err(message) for a refusal.
fn exercise(bytes: &[u8], with_tract: bool) -> Result<(), String> {
    let file = ModelFile::from_bytes(bytes).map_err(|e| e.to_string())?;
    let mut outcome = Ok(());
    match NativeEngine::new(&file) {
        Ok(native) => {
            let m = native.meta().clone();
            let labels = [(m.classes > 0).then_some(0)];
            native.forward(&vec![0.0; m.image_len()], 1, &labels).map_err(|e| e.to_string())?;
        }
        Err(e) => outcome = Err(e.to_string()),
    }
    if with_tract {
        match TractEngine::new(&file) {
            Ok(tract) => {
                let m = tract.meta().clone();
                let labels = [(m.classes > 0).then_some(0)];
                tract.forward(&vec![0.0; m.image_len()], 1, &labels).map_err(|e| e.to_string())?;
            }
            Err(e) => outcome = outcome.and(Err(e.to_string())),
        }
    }
    outcome
}

#[test]
fn damaged_model_files_are_refused_not_fatal() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "onnx")).collect();
    files.sort();
    let mut panics = Vec::new();
    for path in &files {
        let original = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut rng = ChaCha8Rng::seed_from_u64(2026);
        let (mut ran, mut refused) = (0, 0);
        for i in 0..COPIES {
            let (kind, bytes) = mutate(&original, &mut rng);
            match catch_unwind(AssertUnwindSafe(|| exercise(&bytes, i % TRACT_EVERY == 0))) {
                Ok(Ok(())) => ran += 1,
                Ok(Err(message)) => {
                    refused += 1;
                    assert!(message.trim().len() >= 10, "{name} copy {i} ({kind}): refused without a reason: {message:?}");
                }
                Err(_) => panics.push(format!("{name} copy {i} ({kind})")),
            }
        }
        eprintln!("{name}: {COPIES} damaged copies, {ran} still run, {refused} refused with a reason");
    }
    eprintln!("largest single allocation: {} MiB", LARGEST.load(Ordering::Relaxed) >> 20);
    assert!(panics.is_empty(), "{} panics: {}", panics.len(), panics.join("; "));
}
