//! The MNIST digit classifier (models/classifier-mnist.onnx) run by tract, to check that a
//! conditional model draws the class it was asked for.

use tract_onnx::prelude::*;

use crate::error::{tract_err, Error, Result};
use crate::model_file::ModelFile;

pub struct Classifier {
    plan: std::sync::Arc<TypedRunnableModel>,
    height: usize,
    width: usize,
    classes: usize,
}

impl Classifier {
    /// Input `pixels` [N, 1, H, W] binary, output `class_logits` [N, classes].
    pub fn new(file: &ModelFile) -> Result<Self> {
        let number = |key: &str| -> Result<usize> {
            let v = file
                .props
                .get(&format!("pixelwise.{key}"))
                .ok_or_else(|| Error::Metadata(format!("classifier: missing pixelwise.{key}")))?;
            v.trim()
                .parse()
                .map_err(|_| Error::Metadata(format!("classifier: pixelwise.{key} = {v:?} is not a whole number")))
        };
        let (height, width, classes) = (number("height")?, number("width")?, number("classes")?);
        if file.input_names() != ["pixels"] {
            return Err(Error::Format(format!(
                "classifier inputs are {:?}, expected [\"pixels\"]",
                file.input_names()
            )));
        }
        let model = crate::engine::tract::read_graph(file).map_err(tract_err)?;
        let plan = model.into_optimized().map_err(tract_err)?.into_runnable().map_err(tract_err)?;
        Ok(Self {
            plan,
            height,
            width,
            classes,
        })
    }

    /// Each of `n` single-channel images `[n, H, W]` (values 0 or 1): its probability per class.
    pub fn probabilities(&self, images: &[f32], n: usize) -> Result<Vec<Vec<f32>>> {
        let len = self.height * self.width;
        if n == 0 || images.len() != n * len {
            return Err(Error::Input(format!("{} pixel values for {n} images of {len}", images.len())));
        }
        let x = Tensor::from_shape(&[n, 1, self.height, self.width], images).map_err(tract_err)?;
        let out = self.plan.run(tvec![x.into_tvalue()]).map_err(tract_err)?;
        let logits = out[0].to_plain_array_view::<f32>().map_err(tract_err)?;
        let flat: Vec<f32> = logits.iter().copied().collect();
        if flat.len() != n * self.classes {
            return Err(Error::Format(format!(
                "classifier gave {} logits for {n} images of {} classes",
                flat.len(),
                self.classes
            )));
        }
        Ok(flat.chunks(self.classes).map(|row| crate::sampler::softmax(row, 1.0)).collect())
    }

    /// The most likely class of each of `n` single-channel images `[n, H, W]`.
    pub fn classify(&self, images: &[f32], n: usize) -> Result<Vec<usize>> {
        Ok(self.probabilities(images, n)?.iter().map(|p| most_likely(p)).collect())
    }
}

/// The index of the largest value (the first of equals).
pub fn most_likely(p: &[f32]) -> usize {
    (0..p.len()).fold(0, |best, k| if p[k] > p[best] { k } else { best })
}
