//! The native command line: sample, eval, bench, inspect, soak, compress, decompress (and manifest,
//! digits for the page).

#[cfg(not(target_arch = "wasm32"))]
mod bench;
#[cfg(not(target_arch = "wasm32"))]
mod codec;
#[cfg(not(target_arch = "wasm32"))]
mod digits;
#[cfg(not(target_arch = "wasm32"))]
mod eval;
#[cfg(not(target_arch = "wasm32"))]
mod inspect;
#[cfg(not(target_arch = "wasm32"))]
mod manifest;
#[cfg(not(target_arch = "wasm32"))]
mod sample;
#[cfg(not(target_arch = "wasm32"))]
mod soak;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use clap::Parser;
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sample(a) => sample::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Manifest(a) => manifest::run(a),
        Command::Digits(a) => digits::run(a),
        Command::Soak(a) => soak::run(a),
        Command::Compress(a) => codec::compress(a),
        Command::Decompress(a) => codec::decompress(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The model file and the engine that runs it (sample, eval).
#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Args)]
struct ModelArgs {
    #[arg(long)]
    model: std::path::PathBuf,
    /// native (the cached sampler) or tract (the ONNX graph, a full forward per position)
    #[arg(long, default_value = "native")]
    engine: String,
}

#[cfg(not(target_arch = "wasm32"))]
impl ModelArgs {
    fn load(&self) -> pixelwise::Result<Box<dyn pixelwise::Engine>> {
        let file = pixelwise::ModelFile::from_path(&self.model)?;
        pixelwise::load_engine(&file, pixelwise::EngineKind::parse(&self.engine)?)
    }
}

/// Prints one result line; a closed pipe (`| head`) ends the program quietly instead of panicking.
#[cfg(not(target_arch = "wasm32"))]
fn emit(text: impl std::fmt::Display) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{text}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing the result: {e}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Parser)]
#[command(name = "pixelwise", about = "Sample, evaluate, benchmark and inspect pixelwise models")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Subcommand)]
enum Command {
    /// Sample a grid of images to a PNG file.
    Sample(sample::Args),
    /// Held-out NLL in nats per image and bits per dimension, as one JSON line.
    Eval(eval::Args),
    /// Sampling speed of the native cached, native full-recompute and tract engines, as one JSON line.
    Bench(bench::Args),
    /// Metadata, parameter count and ONNX operators.
    Inspect(inspect::Args),
    /// The page's model list (www/models.json) from the files' metadata.
    Manifest(manifest::Args),
    /// A few held-out digits for the page (www/digits.json).
    Digits(digits::Args),
    /// Generations and model reloads back to back, resident memory every so often; fails unless it levels off.
    Soak(soak::Args),
    /// Losslessly compress a PNG with the model (native engine): `compress --model F in.png out.pxw`.
    Compress(codec::CompressArgs),
    /// Decode a compressed image back to PNG with the model it was made with.
    Decompress(codec::DecompressArgs),
}
