//! Times how long tract takes to make a model file runnable (parse, optimise, plan): the wait a
//! page has before its first tract sample. `cargo run --release --example tract_load -- FILE...`
use std::time::Instant;

use pixelwise::engine::tract::TractEngine;
use pixelwise::ModelFile;

fn main() -> pixelwise::Result<()> {
    for path in std::env::args().skip(1) {
        let start = Instant::now();
        let file = ModelFile::from_path(&path)?;
        let parsed = start.elapsed().as_secs_f64();
        TractEngine::new(&file)?;
        let total = start.elapsed().as_secs_f64();
        println!(
            "{}",
            serde_json::json!({"model": path, "s_parse": (parsed * 1000.0).round() / 1000.0, "s_tract_new": ((total - parsed) * 1000.0).round() / 1000.0})
        );
    }
    Ok(())
}
