//! One error type whose message names what went wrong; it reaches JS as an exception.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not a readable ONNX model: {0}")]
    Format(String),
    #[error("model metadata: {0}")]
    Metadata(String),
    #[error("model weights: {0}")]
    Weights(String),
    #[error("tract: {0}")]
    Tract(String),
    #[error("invalid input: {0}")]
    Input(String),
    #[error("{0}")]
    Io(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

/// tract's errors carry a chain of context; keep all of it in the message.
pub fn tract_err(e: impl std::fmt::Debug) -> Error {
    Error::Tract(format!("{e:?}"))
}
