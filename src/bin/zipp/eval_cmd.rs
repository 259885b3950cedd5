//! `zipp eval MANIFEST --clip DIR`: the paper's table, with JSON and CSV.

use std::fmt::Write as _;
use std::io::Write as _;

use zipp::clip::ClipModel;
use zipp::eval::manifest;
use zipp::eval::report::{evaluate, margins_from_json, MethodReport};
use zipp::ZippError;

use crate::args::EvalArgs;

fn cell(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.digits$}"))
}

fn csv(reports: &[MethodReport]) -> String {
    let mut s = String::from("method,rows,clip_score,image_align_mean,image_align_max,cmmd,raw,ipf,delta_percent,win_rate,p_value\n");
    for r in reports {
        let _ = writeln!(
            s,
            "{},{},{:.6},{},{},{},{:.6},{},{},{},{}",
            r.method.replace(',', ";"),
            r.rows,
            r.clip_score,
            cell(r.image_align_mean, 6),
            cell(r.image_align_max, 6),
            cell(r.cmmd, 6),
            r.raw,
            cell(r.ipf, 6),
            cell(r.delta_percent, 4),
            cell(r.win_rate.as_ref().map(|w| w.rate), 6),
            cell(r.win_rate.as_ref().map(|w| w.p_value), 8),
        );
    }
    s
}

/// Runs the evaluation; exit code 0.
pub fn run(a: &EvalArgs) -> Result<u8, ZippError> {
    let rows = manifest::read(&a.manifest)?;
    let margins = match &a.margins {
        Some(p) => margins_from_json(
            &std::fs::read_to_string(p).map_err(|e| ZippError::io(p, e))?,
            &p.display().to_string(),
        )?,
        None => Vec::new(),
    };
    let clip = ClipModel::load(&a.clip)?;
    let reports = evaluate(
        &rows,
        &clip,
        &margins,
        a.baseline.as_deref(),
        &mut |done, total| {
            if total >= 50 && (done % 10 == 0 || done == total) {
                eprint!("\rembedding {done}/{total} ");
                let _ = std::io::stderr().flush();
            }
        },
    )?;
    if rows.len() >= 50 {
        eprintln!();
    }
    let json = serde_json::to_string_pretty(&reports).unwrap_or_default();
    if let Some(dir) = &a.out {
        std::fs::create_dir_all(dir).map_err(|e| ZippError::io(dir, e))?;
        for (name, body) in [("eval.json", json.clone()), ("eval.csv", csv(&reports))] {
            let p = dir.join(name);
            std::fs::write(&p, body).map_err(|e| ZippError::io(&p, e))?;
        }
    }
    if a.json {
        println!("{json}");
        return Ok(0);
    }
    println!("| method | rows | CS | Image-Align (mean / max) | CMMD | raw | IPF | delta % | win rate (p) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &reports {
        println!(
            "| {} | {} | {:.2} | {} / {} | {} | {:.2} | {} | {} | {} |",
            r.method,
            r.rows,
            r.clip_score,
            cell(r.image_align_mean, 2),
            cell(r.image_align_max, 2),
            cell(r.cmmd, 4),
            r.raw,
            cell(r.ipf, 2),
            cell(r.delta_percent, 2),
            r.win_rate.as_ref().map_or_else(
                || "-".into(),
                |w| format!("{:.1}% ({:.3})", 100.0 * w.rate, w.p_value)
            ),
        );
    }
    Ok(0)
}
