//! Streaming ingest of interaction logs into a [`GraphBuilder`]: Reddit dumps (`RC_`/`RS_`
//! zstd NDJSON from Pushshift or Arctic Shift), generic JSONL and CSV logs, plain or zstd.
//!
//! Memory stays bounded by the graph: lines are read one at a time with a length cap, and
//! nothing but the builder's edges, names and capped pools outlives a line. Bad lines are
//! counted and the first few named; a broken stream ends its file, not the run (unless
//! `strict`).

mod csv_log;
pub mod filter;
mod html;
mod options;
mod record;
mod report;
mod scan;
pub mod source;

pub use csv_log::parse_time;
pub use options::IngestOptions;
pub use record::{parse_line, parse_line_strict, Interaction, LineError, RecordKind};
pub use report::{BadLine, IngestReport};
pub use source::{collect_inputs, Format, Input};

use std::time::{Duration, Instant};

use crate::error::{Result, ZippError};
use crate::mine::graph::{Graph, GraphBuilder};
use source::{Line, LineReader};

/// A progress snapshot, passed to the caller's callback about twice a second.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Decompressed bytes read so far.
    pub bytes: u64,
    /// Lines read so far.
    pub lines: u64,
    /// Distinct users so far.
    pub users: usize,
    /// Distinct edges so far.
    pub edges: usize,
    /// Time since the start.
    pub elapsed: Duration,
    /// Index of the file being read.
    pub file: usize,
    /// Number of files.
    pub files: usize,
}

/// Where one line stands after the filters.
enum Verdict<'a> {
    Keep(Interaction<'a>),
    Drop,
}

fn judge<'a>(i: Interaction<'a>, o: &IngestOptions, r: &mut IngestReport) -> Verdict<'a> {
    if filter::is_deleted_author(&i.user) {
        r.deleted_author += 1;
    } else if i.text_removed {
        r.removed_text += 1;
    } else if o.bots.is_bot(&i.user) {
        r.bots += 1;
    } else if o.exclude_nsfw && i.nsfw {
        r.nsfw += 1;
    } else if o.since.is_some_and(|s| i.created < s) || o.until.is_some_and(|u| i.created >= u) {
        r.out_of_range += 1;
    } else {
        return Verdict::Keep(i);
    }
    Verdict::Drop
}

/// Ingests every input into one graph, built in memory.
pub fn ingest(
    inputs: &[Input],
    options: &IngestOptions,
    progress: impl FnMut(&Progress),
) -> Result<(Graph, IngestReport)> {
    let (builder, mut report) = stream(inputs, options, progress)?;
    let graph = builder.finish(options, &mut report)?;
    Ok((graph, report))
}

/// Ingests every input into a graph file at `path` (written as it is built, then
/// memory-mapped): the way to build graphs larger than memory can hold twice.
pub fn ingest_to_file(
    inputs: &[Input],
    options: &IngestOptions,
    path: &std::path::Path,
    progress: impl FnMut(&Progress),
) -> Result<(Graph, IngestReport)> {
    let (builder, mut report) = stream(inputs, options, progress)?;
    let graph = builder.finish_to_file(options, &mut report, path)?;
    Ok((graph, report))
}

/// Reads every input into a builder.
fn stream(
    inputs: &[Input],
    options: &IngestOptions,
    mut progress: impl FnMut(&Progress),
) -> Result<(GraphBuilder, IngestReport)> {
    let mut report = IngestReport::default();
    let mut builder = GraphBuilder::new(options);
    let start = Instant::now();
    let mut last_tick = start;
    let mut bytes_before = 0u64;
    for (fi, input) in inputs.iter().enumerate() {
        report.files += 1;
        report.bytes_on_disk += input.size();
        let name = input.path.display().to_string();
        let stream = input.open()?;
        let base = bytes_before;
        let mut tick =
            |reader_bytes: u64, report: &IngestReport, builder: &GraphBuilder, force: bool| {
                let now = Instant::now();
                if force || now.duration_since(last_tick) >= Duration::from_millis(500) {
                    last_tick = now;
                    progress(&Progress {
                        bytes: base + reader_bytes,
                        lines: report.lines,
                        users: builder.users(),
                        edges: builder.edges(),
                        elapsed: now.duration_since(start),
                        file: fi,
                        files: inputs.len(),
                    });
                }
            };
        let outcome = match input.format {
            Format::JsonLines => {
                read_json_lines(stream, &name, options, &mut report, &mut builder, &mut tick)
            }
            Format::Csv => read_csv(stream, &name, options, &mut report, &mut builder),
        };
        let file_bytes = match outcome {
            Ok(bytes) => bytes,
            Err(FileError::Fatal(e)) => return Err(e),
            Err(FileError::Stream { bytes, message }) => {
                report.broken_files += 1;
                report.sample(
                    &name,
                    0,
                    format!("stream broken after {bytes} decompressed bytes: {message}"),
                );
                log::warn!("{name}: stream broken after {bytes} bytes: {message}; continuing with the next file");
                if options.strict {
                    return Err(ZippError::InvalidInput {
                        file: name,
                        line: 0,
                        message,
                    });
                }
                bytes
            }
        };
        report.bytes = base + file_bytes;
        tick(file_bytes, &report, &builder, true);
        bytes_before = base + file_bytes;
    }
    Ok((builder, report))
}

enum FileError {
    Fatal(ZippError),
    Stream { bytes: u64, message: String },
}

fn bad(
    report: &mut IngestReport,
    options: &IngestOptions,
    file: &str,
    line: u64,
    reason: String,
) -> std::result::Result<(), FileError> {
    report.sample(file, line, reason.clone());
    if options.strict {
        return Err(FileError::Fatal(ZippError::InvalidInput {
            file: file.into(),
            line,
            message: reason,
        }));
    }
    Ok(())
}

/// Filters a parsed record into the builder, or counts and reports why the line was unusable.
fn take(
    parsed: std::result::Result<Interaction<'_>, LineError>,
    malformed_prefix: &str,
    file: &str,
    line: u64,
    options: &IngestOptions,
    report: &mut IngestReport,
    builder: &mut GraphBuilder,
) -> std::result::Result<(), FileError> {
    match parsed {
        Ok(i) => {
            if let Verdict::Keep(i) = judge(i, options, report) {
                report.kept += 1;
                builder.add(&i);
            }
            Ok(())
        }
        Err(LineError::Json(msg)) => {
            report.malformed += 1;
            bad(
                report,
                options,
                file,
                line,
                format!("{malformed_prefix}{msg}"),
            )
        }
        Err(LineError::MissingField(field)) => {
            report.missing_field += 1;
            bad(
                report,
                options,
                file,
                line,
                format!("missing field `{field}`"),
            )
        }
    }
}

fn read_json_lines(
    stream: Box<dyn std::io::Read + Send>,
    file: &str,
    options: &IngestOptions,
    report: &mut IngestReport,
    builder: &mut GraphBuilder,
    tick: &mut dyn FnMut(u64, &IngestReport, &GraphBuilder, bool),
) -> std::result::Result<u64, FileError> {
    let mut reader = LineReader::new(stream, options.max_line_bytes);
    let mut buf = Vec::with_capacity(4096);
    let mut n = 0u64;
    loop {
        let line = match reader.next_line(&mut buf) {
            Ok(l) => l,
            Err(e) => {
                return Err(FileError::Stream {
                    bytes: reader.bytes,
                    message: e.to_string(),
                })
            }
        };
        match line {
            Line::End => return Ok(reader.bytes),
            Line::TooLong(len) => {
                n += 1;
                report.lines += 1;
                report.too_long += 1;
                bad(
                    report,
                    options,
                    file,
                    n,
                    format!(
                        "line of {len} bytes is over the {} byte limit",
                        options.max_line_bytes
                    ),
                )?;
                continue;
            }
            Line::Ok => {}
        }
        n += 1;
        report.lines += 1;
        if n % 65_536 == 0 {
            tick(reader.bytes, report, builder, false);
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t,
            Err(e) => {
                report.invalid_utf8 += 1;
                bad(
                    report,
                    options,
                    file,
                    n,
                    format!("not UTF-8 (first bad byte at offset {})", e.valid_up_to()),
                )?;
                continue;
            }
        };
        take(
            parse_line(text),
            "not a JSON record: ",
            file,
            n,
            options,
            report,
            builder,
        )?;
    }
}

fn read_csv(
    stream: Box<dyn std::io::Read + Send>,
    file: &str,
    options: &IngestOptions,
    report: &mut IngestReport,
    builder: &mut GraphBuilder,
) -> std::result::Result<u64, FileError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(stream);
    let header = reader
        .headers()
        .map_err(|e| {
            FileError::Fatal(ZippError::InvalidInput {
                file: file.into(),
                line: 1,
                message: e.to_string(),
            })
        })?
        .clone();
    let columns = csv_log::Columns::from_header(&header).map_err(|missing| {
        FileError::Fatal(ZippError::InvalidInput {
            file: file.into(),
            line: 1,
            message: format!("the header has no `{missing}` column (expected user, community[, text, image, timestamp])"),
        })
    })?;
    let mut row = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut row) {
            Ok(false) => return Ok(reader.position().byte()),
            Ok(true) => {}
            Err(e) => {
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(FileError::Stream {
                        bytes: reader.position().byte(),
                        message: e.to_string(),
                    });
                }
                report.lines += 1;
                let utf8 = matches!(e.kind(), csv::ErrorKind::Utf8 { .. });
                if utf8 {
                    report.invalid_utf8 += 1;
                } else {
                    report.malformed += 1;
                }
                bad(report, options, file, line, e.to_string())?;
                continue;
            }
        }
        report.lines += 1;
        take(
            columns.parse(&row),
            "",
            file,
            line,
            options,
            report,
            builder,
        )?;
    }
}
