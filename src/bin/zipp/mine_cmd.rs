//! `zipp mine synth | ingest | stats` (and dispatch of `run | personas | ablate`).

use std::io::Write;
use std::path::PathBuf;

use zipp::mine::graph::Graph;
use zipp::mine::ingest::{
    collect_inputs, ingest_to_file, parse_time, IngestOptions, IngestReport, Progress,
};
use zipp::mine::synth::{generate, SynthConfig};
use zipp::ZippError;

use crate::args::{IngestArgs, MineCommand, SynthArgs};

/// Runs the subcommand; returns the exit code.
pub fn run(command: MineCommand) -> Result<u8, ZippError> {
    match command {
        MineCommand::Synth(a) => synth(a),
        MineCommand::Ingest(a) => run_ingest(*a),
        MineCommand::Stats { graph, json } => stats(&graph, json),
        MineCommand::Run { config, fresh } => crate::mine_run_cmd::run(&config, fresh),
        MineCommand::Personas { out_dir } => crate::mine_run_cmd::personas(&out_dir),
        MineCommand::Ablate(a) => crate::mine_run_cmd::ablate(&a),
    }
}

fn synth(a: SynthArgs) -> Result<u8, ZippError> {
    let config = SynthConfig {
        users: a.users,
        communities: a.communities,
        interactions: a.interactions,
        types: a.types,
        seed: a.seed,
        month: a.month,
        ..SynthConfig::default()
    };
    let s = generate(&config, &a.out)?;
    eprintln!(
        "wrote {} interactions ({} edges, {} images, {:.1} MB of JSON) and {} noise lines to {}",
        s.interactions,
        s.edges,
        s.images,
        s.bytes as f64 / 1e6,
        s.noise.values().sum::<u64>(),
        a.out.display()
    );
    for f in &s.files {
        println!("{}", f.display());
    }
    Ok(0)
}

fn time_arg(value: &Option<String>, flag: &str) -> Result<Option<i64>, ZippError> {
    value
        .as_deref()
        .map(|v| {
            parse_time(v).ok_or_else(|| ZippError::InvalidOptions {
                field: flag.into(),
                message: format!("\"{v}\" is neither Unix seconds nor a date (YYYY-MM-DD)"),
            })
        })
        .transpose()
}

fn progress_line(p: &Progress) {
    let secs = p.elapsed.as_secs_f64().max(1e-3);
    eprint!(
        "\r[{}/{}] {:>9.1} MB  {:>7.1} MB/s  {:>10} lines  {:>9.0} lines/s  {:>8} users  {:>9} edges ",
        p.file + 1,
        p.files,
        p.bytes as f64 / 1e6,
        p.bytes as f64 / 1e6 / secs,
        p.lines,
        p.lines as f64 / secs,
        p.users,
        p.edges
    );
    let _ = std::io::stderr().flush();
}

fn summary(r: &IngestReport, g: &Graph, secs: f64) {
    eprintln!();
    eprintln!(
        "read {} files, {:.1} MB ({:.1} MB on disk), {} lines in {:.1} s ({:.1} MB/s, {:.0} lines/s)",
        r.files,
        r.bytes as f64 / 1e6,
        r.bytes_on_disk as f64 / 1e6,
        r.lines,
        secs,
        r.bytes as f64 / 1e6 / secs.max(1e-9),
        r.lines as f64 / secs.max(1e-9)
    );
    eprintln!(
        "kept {} interactions; dropped {} deleted authors, {} removed texts, {} bot records, {} NSFW, {} out of range",
        r.kept, r.deleted_author, r.removed_text, r.bots, r.nsfw, r.out_of_range
    );
    eprintln!(
        "bad lines: {} malformed, {} invalid UTF-8, {} too long, {} missing a field; {} broken files",
        r.malformed, r.invalid_utf8, r.too_long, r.missing_field, r.broken_files
    );
    for s in &r.samples {
        eprintln!("  {}:{}: {}", s.file, s.line, s.reason);
    }
    let c = g.counts();
    eprintln!(
        "graph: {} users, {} communities, {} edges, {} snippets, {} images ({} users and {} communities below the activity thresholds)",
        c.users, c.communities, c.edges, c.snippets, c.images, r.users_below_threshold, r.communities_below_threshold
    );
}

fn run_ingest(a: IngestArgs) -> Result<u8, ZippError> {
    let mut options = IngestOptions {
        min_user_interactions: a.min_user,
        min_community_users: a.min_community,
        since: time_arg(&a.since, "since")?,
        until: time_arg(&a.until, "until")?,
        exclude_nsfw: a.exclude_nsfw,
        max_line_bytes: a.max_line_bytes,
        strict: a.strict,
        holdout_fraction: a.holdout,
        seed: a.seed,
        ..IngestOptions::default()
    };
    if !(0.0..1.0).contains(&a.holdout) {
        return Err(ZippError::InvalidOptions {
            field: "holdout".into(),
            message: format!("{} is outside [0, 1)", a.holdout),
        });
    }
    if a.no_bot_suffix {
        options.bots = zipp::mine::ingest::filter::BotFilter::new(
            zipp::mine::ingest::filter::DEFAULT_BOTS
                .iter()
                .map(|s| s.to_string()),
            false,
        );
    }
    if let Some(path) = &a.bots {
        let text = std::fs::read_to_string(path).map_err(|e| ZippError::io(path, e))?;
        options.bots.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    let inputs = collect_inputs(&a.input)?;
    if inputs.is_empty() {
        return Err(ZippError::InvalidOptions {
            field: "input".into(),
            message: "no dump or log files found".into(),
        });
    }
    let start = std::time::Instant::now();
    let quiet = a.quiet;
    let (graph, report) = ingest_to_file(&inputs, &options, &a.out, |p| {
        if !quiet {
            progress_line(p)
        }
    })?;
    if !quiet {
        summary(&report, &graph, start.elapsed().as_secs_f64());
        eprintln!("wrote {}", a.out.display());
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    }
    Ok(0)
}

fn stats(path: &PathBuf, json: bool) -> Result<u8, ZippError> {
    let g = Graph::load(path)?;
    let c = g.counts();
    let mut degrees: Vec<usize> = (0..g.users())
        .map(|u| g.user_edges(u).communities.len())
        .collect();
    degrees.sort_unstable();
    let held: u64 = (0..g.users())
        .map(|u| {
            g.user_edges(u)
                .held_out
                .iter()
                .map(|x| u64::from(*x))
                .sum::<u64>()
        })
        .sum();
    let median = degrees.get(degrees.len() / 2).copied().unwrap_or(0);
    let max = degrees.last().copied().unwrap_or(0);
    if json {
        let v = serde_json::json!({
            "users": c.users, "communities": c.communities, "edges": c.edges, "snippets": c.snippets,
            "images": c.images, "held_out_edges": held, "median_user_degree": median, "max_user_degree": max,
            "meta": g.meta(),
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!("users:        {}", c.users);
        println!("communities:  {}", c.communities);
        println!(
            "edges:        {} ({} held out for link prediction)",
            c.edges, held
        );
        println!("user degree:  median {median}, max {max}");
        println!("snippets:     {}", c.snippets);
        println!("images:       {}", c.images);
        println!("file size:    {:.1} MB", g.bytes().len() as f64 / 1e6);
    }
    Ok(0)
}
