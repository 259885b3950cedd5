//! The benchmark's inputs: personas (intake surveys in the development split, plain first-person
//! texts in the held-out test split; no visual words in either), the judge's taste descriptions
//! (never shown to a rewriter) and prompts with their subject nouns.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use zipp::{Persona, Survey};

/// One benchmark persona.
pub struct BenchPersona {
    pub id: String,
    pub persona: Persona,
    /// What the judge expects this person to like; only the judge reads it.
    pub judge_taste: String,
}

/// One prompt and the nouns a rewrite must keep.
#[derive(Deserialize, Clone)]
pub struct BenchPrompt {
    pub prompt: String,
    pub subjects: Vec<String>,
}

#[derive(Deserialize)]
struct RawPersona {
    id: String,
    /// An intake survey (development split).
    #[serde(default)]
    survey: Option<serde_json::Value>,
    /// A plain first-person text (test split).
    #[serde(default)]
    text: Option<String>,
}

fn read(dir: &Path, name: &str) -> Result<String, String> {
    let p = dir.join(name);
    std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))
}

/// Loads `personas.json` and `judge_tastes.json` from `split_dir` and `prompts.json` from
/// `prompts_dir` (both splits share the prompts).
pub fn load(
    split_dir: &Path,
    prompts_dir: &Path,
) -> Result<(Vec<BenchPersona>, Vec<BenchPrompt>), String> {
    let raw: Vec<RawPersona> = serde_json::from_str(&read(split_dir, "personas.json")?)
        .map_err(|e| format!("personas.json: {e}"))?;
    let tastes: BTreeMap<String, String> =
        serde_json::from_str(&read(split_dir, "judge_tastes.json")?)
            .map_err(|e| format!("judge_tastes.json: {e}"))?;
    let prompts: Vec<BenchPrompt> = serde_json::from_str(&read(prompts_dir, "prompts.json")?)
        .map_err(|e| format!("prompts.json: {e}"))?;
    let mut personas = Vec::new();
    for r in raw {
        let persona = match (&r.survey, &r.text) {
            (Some(survey), None) => {
                let survey =
                    Survey::from_json(&survey.to_string()).map_err(|e| format!("{}: {e}", r.id))?;
                let doc = survey.to_document().map_err(|e| format!("{}: {e}", r.id))?;
                Persona::new(doc).map_err(|e| format!("{}: {e}", r.id))?
            }
            (None, Some(text)) => Persona::from_text(text).map_err(|e| format!("{}: {e}", r.id))?,
            _ => return Err(format!("{}: give either a survey or a text", r.id)),
        };
        let judge_taste = tastes
            .get(&r.id)
            .cloned()
            .ok_or_else(|| format!("judge_tastes.json has no taste for {}", r.id))?;
        personas.push(BenchPersona {
            id: r.id,
            persona,
            judge_taste,
        });
    }
    Ok((personas, prompts))
}
