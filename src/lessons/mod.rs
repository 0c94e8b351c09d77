//! The seed's lessons computed by the project's own code: the worked example of a masked residual
//! block, and the per-pixel surprise of an image under a model.

pub mod diagram;
pub mod surprise;
pub mod worked_example;
