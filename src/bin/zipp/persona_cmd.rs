//! `zipp persona validate | show | from-survey`.

use std::io::Read;

use zipp::{Persona, Survey, ZippError};

use crate::args::{PersonaCommand, SurveyArgs};

/// Runs the subcommand; returns the exit code.
pub fn run(command: PersonaCommand) -> Result<u8, ZippError> {
    match command {
        PersonaCommand::Validate { files } => Ok(validate(&files)),
        PersonaCommand::Show { file, json } => show(&file, json),
        PersonaCommand::FromSurvey(a) => from_survey(*a),
        PersonaCommand::Taste {
            file,
            complete,
            config,
        } => taste(&file, complete, config.as_deref()),
    }
}

fn validate(files: &[std::path::PathBuf]) -> u8 {
    let mut worst = 0;
    for f in files {
        match Persona::from_file(f) {
            Ok(p) => println!(
                "{}: ok ({}, {})",
                f.display(),
                p.label(),
                &p.hash_hex()[..12]
            ),
            Err(ZippError::InvalidPersona { problems }) => {
                println!("{}: invalid", f.display());
                for problem in problems {
                    println!("  - {problem}");
                }
                worst = worst.max(3);
            }
            Err(e) => {
                println!("{}: {e}", f.display());
                worst = worst.max(crate::exit_code(&e));
            }
        }
    }
    worst
}

fn taste(
    file: &std::path::Path,
    complete: bool,
    config: Option<&std::path::Path>,
) -> Result<u8, ZippError> {
    let p = Persona::from_file(file)?;
    if let Some(path) = config {
        let text = std::fs::read_to_string(path).map_err(|e| ZippError::io(path, e))?;
        let rewriter = zipp::Rewriter::from_json(&text)?;
        if complete {
            println!("{}", rewriter.with_taste(&p)?.to_json_pretty());
        } else {
            let phrases = rewriter.model_taste(&p)?;
            println!(
                "{}",
                serde_json::json!({
                    "model": rewriter.backend().model(),
                    "phrases": phrases,
                    "vocabulary": zipp::taste::elicit(&p),
                })
            );
        }
    } else if complete {
        let done = zipp::taste::complete(&p).unwrap_or(p);
        println!("{}", done.to_json_pretty());
    } else {
        let t = zipp::taste::elicit(&p);
        println!("{}", serde_json::to_string_pretty(&t).unwrap_or_default());
    }
    Ok(0)
}

fn show(file: &std::path::Path, json: bool) -> Result<u8, ZippError> {
    let p = Persona::from_file(file)?;
    if json {
        println!("{}", p.to_json_pretty());
        return Ok(0);
    }
    let d = p.document();
    println!(
        "{} ({})",
        d.name.as_deref().unwrap_or(&p.label()),
        p.label()
    );
    println!("hash: {}", p.hash_hex());
    println!("\n{}\n", d.text);
    let demo = &d.traits.demographics;
    let fields = [
        ("age band", &demo.age_band),
        ("gender", &demo.gender),
        ("region", &demo.region),
        ("country", &demo.country),
        ("language", &demo.language),
        ("profession", &demo.profession),
    ];
    for (label, value) in fields {
        if let Some(v) = value {
            println!("{label}: {v}");
        }
    }
    for (label, list) in [
        ("interests", &d.traits.interests),
        ("aesthetics", &d.traits.aesthetics),
        ("affect", &d.traits.affect),
    ] {
        if !list.is_empty() {
            println!("{label}: {}", list.join(", "));
        }
    }
    for f in &d.facets {
        println!("facet [{}]: {}", f.context, f.style);
    }
    println!(
        "examples: {}, evidence: {}",
        d.examples.len(),
        d.evidence.len()
    );
    Ok(0)
}

fn from_survey(a: SurveyArgs) -> Result<u8, ZippError> {
    let mut survey = match a.file.as_deref() {
        None => Survey::default(),
        Some(path) if path.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| ZippError::io("<stdin>", e))?;
            Survey::from_json(&s)?
        }
        Some(path) => {
            Survey::from_json(&std::fs::read_to_string(path).map_err(|e| ZippError::io(path, e))?)?
        }
    };
    let set = |field: &mut Option<String>, value: Option<String>| {
        if value.is_some() {
            *field = value;
        }
    };
    set(&mut survey.name, a.name);
    set(&mut survey.age_band, a.age_band);
    set(&mut survey.gender, a.gender);
    set(&mut survey.country, a.country);
    set(&mut survey.region, a.region);
    set(&mut survey.language, a.language);
    set(&mut survey.profession, a.profession);
    set(&mut survey.notes, a.notes);
    if let Some(h) = a.hobbies {
        survey.hobbies = zipp::persona::Hobbies::Text(h);
    }
    let persona = Persona::from_survey(&survey)?;
    let json = persona.to_json_pretty();
    match a.output {
        Some(path) => std::fs::write(&path, json + "\n").map_err(|e| ZippError::io(&path, e))?,
        None => println!("{json}"),
    }
    Ok(0)
}
