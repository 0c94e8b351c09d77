//! Twelve independent four-wide chains of `acc += acc * y` (a multiply, then an add, never fused:
//! the engine's order of operations), with nothing loaded inside the loop: about the most
//! multiply-adds a second this core does in wasm SIMD. Twelve chains keep the multiply and add
//! units busy and, with `y`, fit V8's 16 vector registers (14 chains spill and run at half the rate).

use core::arch::wasm32::*;

/// Runs `iters` rounds of 48 multiply-adds; returns a sum so nothing is optimised away. `y` is 0.0
/// from run.mjs: the values never change (no denormals), but the compiler cannot know it, so the
/// multiply stays in the loop.
#[no_mangle]
pub extern "C" fn peak(iters: u32, y: f32) -> f32 {
    let y = f32x4_splat(y);
    let mut acc: [v128; 12] = core::array::from_fn(|i| f32x4_splat(1.0 + i as f32 * 0.001));
    for _ in 0..iters {
        for a in acc.iter_mut() {
            *a = f32x4_add(*a, f32x4_mul(*a, y));
        }
    }
    let s = acc.iter().fold(f32x4_splat(0.0), |s, &a| f32x4_add(s, a));
    f32x4_extract_lane::<0>(s)
}
