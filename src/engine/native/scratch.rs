//! Reused buffers for the temporaries of a layer (im2col matrices, pre-activations), one free list
//! per thread. The cached sampler computes one position at a time, so a fresh allocation per
//! temporary cost more than the arithmetic for small models; in the threaded wasm module every
//! allocation also takes the allocator's one global lock, which the threads then queue on.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

thread_local! {
    static FREE: RefCell<Vec<Vec<f32>>> = const { RefCell::new(Vec::new()) };
}

/// Buffers kept per thread; more in use at once are simply allocated and dropped.
const KEEP: usize = 16;

/// A buffer of f32 that goes back to its thread's free list when dropped.
pub struct Scratch(Vec<f32>);

impl Scratch {
    /// `len` zeros.
    pub fn zeroed(len: usize) -> Self {
        let mut v = take();
        v.resize(len, 0.0);
        Scratch(v)
    }

    /// A copy of `values`.
    pub fn copy(values: &[f32]) -> Self {
        let mut v = take();
        v.extend_from_slice(values);
        Scratch(v)
    }
}

/// An empty buffer, with the capacity of one used before when there is one.
fn take() -> Vec<f32> {
    let mut v = FREE.try_with(|f| f.borrow_mut().pop()).ok().flatten().unwrap_or_default();
    v.clear();
    v
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.0);
        // During thread teardown the list may be gone: the buffer is then just freed.
        let _ = FREE.try_with(|f| {
            let mut f = f.borrow_mut();
            if f.len() < KEEP {
                f.push(v);
            }
        });
    }
}

impl Deref for Scratch {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        &self.0
    }
}

impl DerefMut for Scratch {
    fn deref_mut(&mut self) -> &mut [f32] {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_buffer_starts_as_asked() {
        let mut a = Scratch::zeroed(8);
        a.fill(3.0);
        drop(a);
        // The same storage comes back, cleared to the new length's zeros or the copied values.
        assert_eq!(&*Scratch::zeroed(5), &[0.0; 5]);
        assert_eq!(&*Scratch::copy(&[1.0, 2.0]), &[1.0, 2.0]);
        assert_eq!(Scratch::zeroed(0).len(), 0);
    }
}
