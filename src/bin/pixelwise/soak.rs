//! `pixelwise soak`: many generations and model reloads back to back, the process's resident memory
//! read every `--every` of each; memory must level off (the last 200 generations within 10%).

use std::path::PathBuf;

use pixelwise::{load_engine, EngineKind, ModelFile, Result, Sampler};

#[derive(clap::Args)]
pub struct Args {
    /// Model files: generations use the first, reloads cycle through all.
    #[arg(long, required = true, num_args = 1..)]
    model: Vec<PathBuf>,
    #[arg(long, default_value_t = 500)]
    generations: usize,
    #[arg(long, default_value_t = 100)]
    switches: usize,
    #[arg(long, default_value_t = 50)]
    every: usize,
    /// Images per generation.
    #[arg(long, default_value_t = 4)]
    n: usize,
}

/// Resident set size in bytes (Linux /proc/self/statm; page size 4 KiB).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4096)
}

pub fn run(a: Args) -> Result<()> {
    let mib = |b: u64| (b as f64 / 1048576.0 * 10.0).round() / 10.0;
    let file = ModelFile::from_path(&a.model[0])?;
    let engine = load_engine(&file, EngineKind::Native)?;
    let labels = vec![(engine.meta().classes > 0).then_some(0); a.n];
    let mut generation_rss = Vec::new();
    for g in 1..=a.generations {
        let mut s = Sampler::new(engine.as_ref(), a.n, g as u64, 1.0, labels.clone(), Vec::new())?;
        s.run_to_end()?;
        if g % a.every == 0 {
            generation_rss.push(rss());
            crate::emit(serde_json::json!({ "generation": g, "rss_mib": mib(rss()) }));
        }
    }
    let mut switch_rss = Vec::new();
    for k in 1..=a.switches {
        let path = &a.model[k % a.model.len()];
        let file = ModelFile::from_path(path)?;
        let engine = load_engine(&file, EngineKind::Native)?;
        let m = engine.meta().clone();
        let mut s = Sampler::new(engine.as_ref(), 1, k as u64, 1.0, vec![(m.classes > 0).then_some(0)], Vec::new())?;
        s.step(m.width * m.channels)?;
        if k % a.every.min(10).max(1) == 0 {
            switch_rss.push(rss());
            crate::emit(serde_json::json!({ "switch": k, "rss_mib": mib(rss()) }));
        }
    }
    // The last 200 generations: their readings within 10% of each other.
    let tail: Vec<u64> = generation_rss.iter().rev().take((200 / a.every.max(1)).max(1) + 1).copied().collect();
    let (lo, hi) = (tail.iter().min().copied().unwrap_or(0), tail.iter().max().copied().unwrap_or(0));
    let level = lo > 0 && hi as f64 <= lo as f64 * 1.1;
    crate::emit(serde_json::json!({
        "generations": a.generations, "switches": a.switches,
        "last_200_generations_rss_mib": [mib(lo), mib(hi)], "levels_off": level,
        "switch_rss_mib": [mib(switch_rss.iter().min().copied().unwrap_or(0)), mib(switch_rss.iter().max().copied().unwrap_or(0))],
    }));
    if !level {
        return Err(pixelwise::Error::Input(format!("memory did not level off: {} to {} MiB over the last 200 generations", mib(lo), mib(hi))));
    }
    Ok(())
}
