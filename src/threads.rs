//! How many threads the native engine may use at this moment.
//!
//! The threaded wasm module starts its pool of Web Workers in the background (each worker costs a
//! few requests), so that the first grid need not wait for it: until the page says the pool is up,
//! the engine runs on the calling thread and never touches rayon (whose global pool, once touched,
//! could no longer be given the Web Workers). Everywhere else rayon's own count holds.

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
static POOL_UP: AtomicBool = AtomicBool::new(false);

/// Threads the engine may split work over now; 1 while the threaded module's pool is starting.
pub fn available() -> usize {
    #[cfg(all(target_arch = "wasm32", feature = "threads"))]
    if !POOL_UP.load(Ordering::Acquire) {
        return 1;
    }
    rayon::current_num_threads()
}

/// Called once `initThreadPool` has resolved: the work that starts after it is split over the pool.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = threadPoolReady)]
pub fn thread_pool_ready() {
    POOL_UP.store(true, Ordering::Release);
}
