//! The naive sampler over any engine: every position costs a full forward of the whole batch.

use super::{Engine, Session};
use crate::error::Result;

pub struct RecomputeSession<E: Engine> {
    engine: E,
    n: usize,
    labels: Vec<Option<usize>>,
}

impl<E: Engine> RecomputeSession<E> {
    pub fn new(engine: E, n: usize, labels: &[Option<usize>]) -> Self {
        Self {
            engine,
            n,
            labels: labels.to_vec(),
        }
    }
}

impl<E: Engine + Send> Session for RecomputeSession<E> {
    fn logits(&mut self, pixels: &[f32], row: usize, col: usize, channel: usize) -> Result<Vec<f32>> {
        let m = self.engine.meta();
        let all = self.engine.forward(pixels, self.n, &self.labels)?;
        let hw = m.height * m.width;
        let mut out = Vec::with_capacity(self.n * m.levels);
        for b in 0..self.n {
            for l in 0..m.levels {
                out.push(all[((b * m.levels + l) * m.channels + channel) * hw + row * m.width + col]);
            }
        }
        Ok(out)
    }
}
