//! The compressed file: a small versioned header, then the range coder's words.
//!
//! ```text
//! offset size
//!  0     3    magic "PXW"
//!  3     1    format version (1)
//!  4     8    model: the first 8 bytes of SHA-256 of the model file's bytes
//! 12     1    channels
//! 13     2    height (little-endian)
//! 15     2    width
//! 17     1    class: 0 for none, k + 1 for class k
//! 18     2    n: the payload's length in bytes
//! 20     4    check: the first 4 bytes of SHA-256 of bytes 0..20 and the image's levels
//! 24     n    payload: the range coder's 32-bit words, big-endian, less the trailing bytes the
//!             decoder does without (it reads zeros past the end)
//! ```
//! The check makes any change to the header or the payload an error rather than a wrong image: a
//! range decoder decodes any bits to some image, so the decoded levels are hashed and compared.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::metadata::ModelMeta;

pub const MAGIC: &[u8; 3] = b"PXW";
pub const VERSION: u8 = 1;
pub const HEADER_LEN: usize = 24;
/// Bytes of the header the check covers (all but the check itself).
const CHECKED_LEN: usize = 20;

/// A model file's identity in a compressed file.
pub type ModelDigest = [u8; 8];

/// The first 8 bytes of SHA-256 of a model file's bytes.
pub fn model_digest(bytes: &[u8]) -> ModelDigest {
    Sha256::digest(bytes)[..8].try_into().expect("8 of 32 bytes")
}

/// Lower-case hex, for messages and the page's manifest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub model: ModelDigest,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub class: Option<usize>,
    /// The payload's length in bytes.
    pub payload: usize,
    pub check: [u8; 4],
}

impl Header {
    /// The header for `levels` (`[C, H, W]`) coded with the model of `meta` and `model`.
    pub fn new(meta: &ModelMeta, model: ModelDigest, class: Option<usize>, levels: &[u8], payload: usize) -> Result<Self> {
        if meta.channels > 255 || meta.height > 65535 || meta.width > 65535 || meta.classes > 255 || payload > 65535 {
            return Err(Error::Input(format!(
                "a {}x{}x{} image with {} classes and {payload} bytes of payload is too large for the format",
                meta.channels, meta.height, meta.width, meta.classes
            )));
        }
        let mut h = Self {
            model,
            channels: meta.channels,
            height: meta.height,
            width: meta.width,
            class,
            payload,
            check: [0; 4],
        };
        h.check = h.checksum(levels);
        Ok(h)
    }

    fn checked_bytes(&self) -> [u8; CHECKED_LEN] {
        let mut b = [0u8; CHECKED_LEN];
        b[..3].copy_from_slice(MAGIC);
        b[3] = VERSION;
        b[4..12].copy_from_slice(&self.model);
        b[12] = self.channels as u8;
        b[13..15].copy_from_slice(&(self.height as u16).to_le_bytes());
        b[15..17].copy_from_slice(&(self.width as u16).to_le_bytes());
        b[17] = self.class.map_or(0, |k| k as u8 + 1);
        b[18..20].copy_from_slice(&(self.payload as u16).to_le_bytes());
        b
    }

    fn checksum(&self, levels: &[u8]) -> [u8; 4] {
        let mut h = Sha256::new();
        h.update(self.checked_bytes());
        h.update(levels);
        h.finalize()[..4].try_into().expect("4 of 32 bytes")
    }

    /// True when `levels` are the image this header was written for.
    pub fn matches(&self, levels: &[u8]) -> bool {
        self.checksum(levels) == self.check
    }

    pub fn write(&self, payload: &[u8]) -> Vec<u8> {
        debug_assert_eq!(payload.len(), self.payload);
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(&self.checked_bytes());
        out.extend_from_slice(&self.check);
        out.extend_from_slice(payload);
        out
    }

    /// Reads the header and the payload's words, refusing what is not a file of this format.
    pub fn read(bytes: &[u8]) -> Result<(Self, Vec<u32>)> {
        let bad = |m: String| Err(Error::Input(format!("not a pixelwise compressed image: {m}")));
        if bytes.len() < 4 || &bytes[..3] != MAGIC {
            return bad(format!("it does not start with {:?}", std::str::from_utf8(MAGIC).expect("ascii")));
        }
        if bytes[3] != VERSION {
            return bad(format!("format version {} (this build reads version {VERSION})", bytes[3]));
        }
        if bytes.len() < HEADER_LEN {
            return bad(format!(
                "truncated: {} bytes, shorter than the {HEADER_LEN}-byte header",
                bytes.len()
            ));
        }
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
        let header = Self {
            model: bytes[4..12].try_into().expect("8 bytes"),
            channels: bytes[12] as usize,
            height: u16_at(13),
            width: u16_at(15),
            class: bytes[17].checked_sub(1).map(usize::from),
            payload: u16_at(18),
            check: bytes[20..24].try_into().expect("4 bytes"),
        };
        let payload = &bytes[HEADER_LEN..];
        if payload.len() != header.payload {
            let how = if payload.len() < header.payload { "truncated" } else { "altered" };
            return bad(format!(
                "{how}: the payload is {} bytes but the header says {}",
                payload.len(),
                header.payload
            ));
        }
        Ok((header, words(payload)))
    }

    /// Refuses a file made with another model or for another shape of image.
    pub fn check_model(&self, meta: &ModelMeta, model: ModelDigest) -> Result<()> {
        if self.model != model {
            return Err(Error::Input(format!(
                "this image was compressed with another model (model {}), not this one ({})",
                hex(&self.model),
                hex(&model)
            )));
        }
        if (self.channels, self.height, self.width) != (meta.channels, meta.height, meta.width) {
            return Err(Error::Input(format!(
                "the file holds a {}x{}x{} image but the model's images are {}x{}x{} (the file is altered)",
                self.channels, self.height, self.width, meta.channels, meta.height, meta.width
            )));
        }
        match self.class {
            Some(k) if k >= meta.classes => Err(Error::Input(format!(
                "the file names class {k} but the model has {} classes (the file is altered)",
                meta.classes
            ))),
            _ => Ok(()),
        }
    }
}

/// The coder's words as big-endian bytes: the last bytes are the low bits of the last word, which a
/// decoder reading zeros past the end can often do without.
pub fn payload_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// The coder's words of a payload, its missing trailing bytes read as zeros.
pub fn words(payload: &[u8]) -> Vec<u32> {
    payload
        .chunks(4)
        .map(|c| {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            u32::from_be_bytes(w)
        })
        .collect()
}
