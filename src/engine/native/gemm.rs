//! c += a · b for row-major f32 matrices, the one kernel every layer runs on.
//!
//! Every path adds the products into c in the same order (k ascending, a multiply then an add,
//! never fused), so one position computed alone (the cached sampler) and the same position inside
//! a whole-image product (the full forward) give the same bits. A packed library kernel
//! (`matrixmultiply`) reorders and fuses the sums: cached and full then drifted apart by 4e-4
//! on the 256-level emoji model, which is why this kernel is written here.
//!
//! Two paths: a single row (one image at one position) keeps 48 outputs in registers and skips
//! zero inputs (post-ReLU maps are about half zeros; adding a zero product changes no bit); more
//! rows go through a register-blocked micro-kernel of `MR x NR` outputs whose fixed-size loops
//! vectorise (SSE or AVX natively, simd128 in wasm), skipping the inputs that are zero in every
//! row of the block (a colour group not computed yet is zero in every image).

use std::mem::MaybeUninit;
use std::ops::Range;

/// The blocked kernel's rows and columns: 4 x 16 held 16 four-wide registers of sums and ran
/// 4–12% faster in wasm than 6x8, 3x16, 5x16, 8x8, 4x12, 4x24 or 2x32 (paired runs in Node).
const MR: usize = 4;
const NR: usize = 16;

/// c[m×n] += a[m×k] · b[k×n].
pub fn gemm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_cols(m, k, n, 0..n, a, b, c);
}

/// Columns `cols` of c only (the others untouched): each column's sums are the same as in `gemm`,
/// so a colour group computed on its own has the bits it has inside the whole product.
pub fn gemm_cols(m: usize, k: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
    gemm_strided(m, k, k, n, cols, a, b, c);
}

/// `gemm_cols` with the rows of a `lda` apart (`lda < k`: rows that overlap, as neighbouring
/// positions' taps do in a feature map, so a convolution can read the map in place).
#[allow(clippy::too_many_arguments)]
pub fn gemm_strided(m: usize, k: usize, lda: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
    assert!(m == 0 || a.len() >= (m - 1) * lda + k, "gemm shapes");
    assert!(b.len() >= k * n && c.len() >= m * n && cols.end <= n, "gemm shapes");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX (checked just above).
        unsafe { dispatch_avx(m, k, lda, n, cols, a, b, c) };
        return;
    }
    dispatch(m, k, lda, n, cols, a, b, c);
}

/// The same loops compiled for 8-wide AVX registers (multiply and add stay separate: same bits).
/// One entry per path, so each is optimised on its own.
#[cfg(target_arch = "x86_64")]
#[allow(clippy::too_many_arguments)]
unsafe fn dispatch_avx(m: usize, k: usize, lda: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
    #[target_feature(enable = "avx")]
    unsafe fn row_avx(k: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
        row(k, n, cols, a, b, c);
    }
    #[target_feature(enable = "avx")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn blocks_avx(m: usize, k: usize, lda: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
        blocks(m, k, lda, n, cols, a, b, c);
    }
    if m == 1 {
        row_avx(k, n, cols, &a[..k], b, &mut c[..n]);
    } else {
        blocks_avx(m, k, lda, n, cols, a, b, c);
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dispatch(m: usize, k: usize, lda: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
    if m == 1 {
        row(k, n, cols, &a[..k], b, &mut c[..n]);
    } else {
        blocks(m, k, lda, n, cols, a, b, c);
    }
}

/// Outputs of the single-row path held in registers at once (12 four-wide registers): then 16,
/// 8 and 4. In paired runs in Node this ran 0–15% faster than 32 then 8 and 4 on every model, and
/// than 16, 24, 40, 56 or 64 first.
const NV: usize = 48;

/// Inputs whose nonzero indices are gathered at once (on the stack: no allocation per call).
const KC: usize = 512;

/// One row (one image at one position): `NV` outputs at a time stay in registers while every
/// nonzero input adds its scaled weights (post-ReLU inputs are about half zeros). The inputs go
/// in chunks of `KC`, ascending, so each output still adds its products in k order.
#[inline(always)]
fn row(k: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
    // Left uninitialised: zeroing 2 KB on every call cost more than the product for layers of 16
    // channels.
    let mut nonzero = [const { MaybeUninit::<u32>::uninit() }; KC];
    for k0 in (0..k).step_by(KC) {
        let k1 = (k0 + KC).min(k);
        let nonzero = gather(&mut nonzero, k0..k1, |kk| a[kk] != 0.0);
        row_nonzero(nonzero, n, cols.clone(), a, b, c);
    }
}

/// The inputs of `range` (at most `KC`) for which `keep` holds, in order, written into `buf`.
/// Branch-free: about half the inputs are zero, in no pattern a predictor could follow.
#[inline(always)]
fn gather(buf: &mut [MaybeUninit<u32>; KC], range: Range<usize>, keep: impl Fn(usize) -> bool) -> &[u32] {
    let mut len = 0;
    for kk in range {
        buf[len].write(kk as u32);
        len += usize::from(keep(kk));
    }
    // SAFETY: entries 0..len were each written above (every index up to len, and len <= KC).
    unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u32>(), len) }
}

/// Every output column, `NV`, then 16, 8, then 4 at a time in registers, the last few (under 4)
/// one by one: widths such as 60, 120 or a colour group's 20 would otherwise leave many to the scalar loop.
#[inline(always)]
fn row_nonzero(nonzero: &[u32], n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
    let (mut j0, end) = (cols.start, cols.end);
    while j0 + NV <= end {
        columns::<NV>(nonzero, n, j0, a, b, c);
        j0 += NV;
    }
    while j0 + 16 <= end {
        columns::<16>(nonzero, n, j0, a, b, c);
        j0 += 16;
    }
    while j0 + 8 <= end {
        columns::<8>(nonzero, n, j0, a, b, c);
        j0 += 8;
    }
    if j0 + 4 <= end {
        columns::<4>(nonzero, n, j0, a, b, c);
        j0 += 4;
    }
    for j in j0..end {
        let mut v = c[j];
        for &kk in nonzero {
            let kk = kk as usize;
            v += a[kk] * b[kk * n + j];
        }
        c[j] = v;
    }
}

/// Columns `j0..j0 + W` of one row, held in registers over the nonzero inputs.
#[inline(always)]
fn columns<const W: usize>(nonzero: &[u32], n: usize, j0: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    let mut acc: [f32; W] = c[j0..j0 + W].try_into().expect("W values");
    for &kk in nonzero {
        let kk = kk as usize;
        let x = a[kk];
        let w: &[f32; W] = b[kk * n + j0..kk * n + j0 + W].try_into().expect("W values");
        for j in 0..W {
            acc[j] += x * w[j];
        }
    }
    c[j0..j0 + W].copy_from_slice(&acc);
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn blocks(m: usize, k: usize, lda: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32]) {
    // Looking for inputs zero in a whole block costs a pass over it: after a first block where that
    // finds under an eighth of them (a dense map), the rest of the product multiplies every input.
    let (mut r0, mut skip) = (0, true);
    while r0 + MR <= m {
        skip = block_rows::<MR>(r0, k, lda, n, cols.clone(), a, b, c, skip) && skip;
        r0 += MR;
    }
    // The last rows (fewer than MR) one at a time on the vectorised single-row kernel: a batch
    // slice of 2 or 3 images would otherwise run entirely on the scalar edge loop.
    for r in r0..m {
        row(k, n, cols.clone(), &a[r * lda..r * lda + k], b, &mut c[r * n..(r + 1) * n]);
    }
}

/// Rows `r0..r0 + R` of c in columns `cols`, over the inputs that are nonzero in any of the R
/// rows (a colour group not computed yet is zero in every image) when `skip`, else over all:
/// NR-wide blocks, then 8- and 4-wide ones, then a scalar edge. True when an eighth or more of
/// the inputs were skipped.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn block_rows<const R: usize>(r0: usize, k: usize, lda: usize, n: usize, cols: Range<usize>, a: &[f32], b: &[f32], c: &mut [f32], skip: bool) -> bool {
    let a = &a[r0 * lda..(r0 + R - 1) * lda + k];
    let c = &mut c[r0 * n..];
    let mut nonzero = [const { MaybeUninit::<u32>::uninit() }; KC];
    let mut skipped = 0;
    for k0 in (0..k).step_by(KC) {
        let k1 = (k0 + KC).min(k);
        let nonzero = if skip {
            gather(&mut nonzero, k0..k1, |kk| (0..R).any(|r| a[r * lda + kk] != 0.0))
        } else {
            gather(&mut nonzero, k0..k1, |_| true)
        };
        skipped += k1 - k0 - nonzero.len();
        let mut j0 = cols.start;
        while j0 + NR <= cols.end {
            block::<R, NR>(nonzero, lda, n, a, &b[j0..], &mut c[j0..]);
            j0 += NR;
        }
        while j0 + 8 <= cols.end {
            block::<R, 8>(nonzero, lda, n, a, &b[j0..], &mut c[j0..]);
            j0 += 8;
        }
        if j0 + 4 <= cols.end {
            block::<R, 4>(nonzero, lda, n, a, &b[j0..], &mut c[j0..]);
            j0 += 4;
        }
        if j0 < cols.end {
            edge(R, cols.end - j0, nonzero, lda, n, a, &b[j0..], &mut c[j0..]);
        }
    }
    skipped * 8 >= k
}

/// One full R x W block of c, accumulated in registers (W = NR, or 8 or 4 at a group's edge), over
/// the inputs `nonzero`.
#[inline(always)]
fn block<const R: usize, const W: usize>(nonzero: &[u32], lda: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    let mut acc = [[0.0f32; W]; R];
    for (r, row) in acc.iter_mut().enumerate() {
        row.copy_from_slice(&c[r * n..r * n + W]);
    }
    for &kk in nonzero {
        let kk = kk as usize;
        let w: [f32; W] = b[kk * n..kk * n + W].try_into().expect("W values");
        for (r, row) in acc.iter_mut().enumerate() {
            let x = a[r * lda + kk];
            for j in 0..W {
                row[j] += x * w[j];
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        c[r * n..r * n + W].copy_from_slice(row);
    }
}

/// A partial block at the matrix's right edge (fewer than 4 columns), same order of operations.
#[allow(clippy::too_many_arguments)]
fn edge(rows: usize, cols: usize, nonzero: &[u32], lda: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    for r in 0..rows {
        for j in 0..cols {
            let mut v = c[r * n + j];
            for &kk in nonzero {
                let kk = kk as usize;
                v += a[r * lda + kk] * b[kk * n + j];
            }
            c[r * n + j] = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path (SIMD builds and scalar edges) gives exactly the plain triple loop's bits (same
    /// order, no fusing), for shapes that hit the blocked kernel, its edges and the single-row path,
    /// with dense inputs, inputs 60% zero, and inputs whose middle third is zero in every row.
    #[test]
    fn every_path_matches_the_definition_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let shapes = [(1, 5, 3), (1, 120, 768), (1, 1100, 40), (1, 70, 60), (1, 30, 13), (8, 40, 24), (1, 100, 40), (3, 64, 128), (6, 17, 9), (16, 320, 64), (50, 7, 130), (4, 8, 8)];
        for (&(m, k, n), zeros) in shapes.iter().flat_map(|s| [(s, 0.0), (s, 0.6), (s, -1.0)]) {
            let mut v = |len: usize, zeros: f32| -> Vec<f32> {
                (0..len).map(|_| if rng.random::<f32>() < zeros { 0.0 } else { rng.random::<f32>() - 0.5 }).collect()
            };
            let (mut a, b, c0) = (v(m * k, zeros), v(k * n, 0.3), v(m * n, 0.3));
            if zeros < 0.0 {
                for (i, x) in a.iter_mut().enumerate() {
                    if (k / 3..2 * k / 3).contains(&(i % k)) {
                        *x = 0.0;
                    }
                }
            }
            // The plain triple loop, rows of `a` `lda` apart.
            let definition = |a: &[f32], lda: usize| -> Vec<f32> {
                let mut want = c0.clone();
                for r in 0..m {
                    for j in 0..n {
                        for t in 0..k {
                            want[r * n + j] += a[r * lda + t] * b[t * n + j];
                        }
                    }
                }
                want
            };
            let want = definition(&a, k);
            let mut got = c0.clone();
            gemm(m, k, n, &a, &b, &mut got);
            assert_eq!(got, want, "gemm {m}x{k}x{n}");
            // The portable build of the same loops (the AVX one above, where the CPU has it).
            let mut portable = c0.clone();
            dispatch(m, k, k, n, 0..n, &a, &b, &mut portable);
            assert_eq!(portable, want, "portable {m}x{k}x{n}");
            // Overlapping rows, `lda` apart (a convolution reading its map in place).
            let lda = (k / 3).max(1);
            let flat: Vec<f32> = (0..(m - 1) * lda + k).map(|i| a[i % a.len()]).collect();
            let want_strided = definition(&flat, lda);
            let mut strided = c0.clone();
            gemm_strided(m, k, lda, n, 0..n, &flat, &b, &mut strided);
            assert_eq!(strided, want_strided, "rows {lda} apart, {m}x{k}x{n}");
            let mut portable = c0.clone();
            dispatch(m, k, lda, n, 0..n, &flat, &b, &mut portable);
            assert_eq!(portable, want_strided, "portable, rows {lda} apart, {m}x{k}x{n}");
            // A window of columns: those get the same bits, the rest stay as they were.
            let cols = n / 3..n - n / 4;
            let mut window = c0.clone();
            gemm_cols(m, k, n, cols.clone(), &a, &b, &mut window);
            for (i, (&w, (&full, &before))) in window.iter().zip(want.iter().zip(&c0)).enumerate() {
                assert_eq!(w, if cols.contains(&(i % n)) { full } else { before }, "window {cols:?} of {m}x{k}x{n}");
            }
        }
    }
}
