//! The benchmark's inputs: personas as intake surveys, the judge's taste descriptions (never shown
//! to a rewriter) and prompts with their subject nouns.

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
    survey: serde_json::Value,
}

fn read(dir: &Path, name: &str) -> Result<String, String> {
    let p = dir.join(name);
    std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))
}

/// Loads `personas.json`, `judge_tastes.json` and `prompts.json` from `dir`.
pub fn load(dir: &Path) -> Result<(Vec<BenchPersona>, Vec<BenchPrompt>), String> {
    let raw: Vec<RawPersona> = serde_json::from_str(&read(dir, "personas.json")?)
        .map_err(|e| format!("personas.json: {e}"))?;
    let tastes: BTreeMap<String, String> = serde_json::from_str(&read(dir, "judge_tastes.json")?)
        .map_err(|e| format!("judge_tastes.json: {e}"))?;
    let prompts: Vec<BenchPrompt> = serde_json::from_str(&read(dir, "prompts.json")?)
        .map_err(|e| format!("prompts.json: {e}"))?;
    let mut personas = Vec::new();
    for r in raw {
        let survey =
            Survey::from_json(&r.survey.to_string()).map_err(|e| format!("{}: {e}", r.id))?;
        let doc = survey.to_document().map_err(|e| format!("{}: {e}", r.id))?;
        let persona = Persona::new(doc).map_err(|e| format!("{}: {e}", r.id))?;
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
