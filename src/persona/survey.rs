//! Personas from a short intake survey, as in the paper's human study.
//!
//! The survey asks who someone is (demographics, profession, hobbies, free notes), never what
//! images they like: the rewriter infers the visual taste from the person.

use serde::{Deserialize, Serialize};

use super::{Demographics, PersonaDocument, Provenance, Traits};
use crate::error::{Result, ZippError};

/// The age bands a persona's `traits.demographics.age_band` may take.
pub const AGE_BANDS: &[&str] = &[
    "under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+",
];

/// Hobbies as a list or as one comma-separated string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Hobbies {
    /// ["hiking", "film photography"].
    List(Vec<String>),
    /// "hiking, film photography".
    Text(String),
}

impl Default for Hobbies {
    fn default() -> Self {
        Hobbies::List(Vec::new())
    }
}

impl Hobbies {
    fn items(&self) -> Vec<String> {
        let raw: Vec<&str> = match self {
            Hobbies::List(v) => v.iter().map(String::as_str).collect(),
            Hobbies::Text(s) => s.split([',', ';', '\n']).collect(),
        };
        raw.into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Answers to the intake survey; every field is optional, at least one must be given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// The person's name.
    #[serde(default)]
    pub name: Option<String>,
    /// One of [`AGE_BANDS`].
    #[serde(default)]
    pub age_band: Option<String>,
    /// Gender in the person's words ("woman", "man", "non-binary", ...).
    #[serde(default)]
    pub gender: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// UN M49 sub-region.
    #[serde(default)]
    pub region: Option<String>,
    /// Language.
    #[serde(default)]
    pub language: Option<String>,
    /// Profession.
    #[serde(default)]
    pub profession: Option<String>,
    /// Hobbies.
    #[serde(default)]
    pub hobbies: Hobbies,
    /// Anything else the person wrote about themselves, in the first person.
    #[serde(default)]
    pub notes: Option<String>,
}

fn clean(field: &Option<String>) -> Option<String> {
    field
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

fn list_phrase(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn slug(name: &str) -> Option<String> {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').chars().take(64).collect::<String>();
    (!s.is_empty()).then_some(s)
}

impl Survey {
    /// Parses survey answers from JSON.
    pub fn from_json(json: &str) -> Result<Self> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| ZippError::json("survey", &e))?;
        if !value.is_object() {
            return Err(ZippError::InvalidPersona {
                problems: vec!["survey: expected a JSON object of answers".into()],
            });
        }
        serde_json::from_value(value).map_err(|e| ZippError::InvalidPersona {
            problems: vec![format!("survey: {e}")],
        })
    }

    /// The persona document these answers describe, written in the first person.
    pub fn to_document(&self) -> Result<PersonaDocument> {
        let name = clean(&self.name);
        let age_band = clean(&self.age_band);
        if let Some(band) = &age_band {
            if !AGE_BANDS.contains(&band.as_str()) {
                return Err(ZippError::InvalidPersona {
                    problems: vec![format!(
                        "survey.age_band: \"{band}\" is not one of {}",
                        AGE_BANDS.join(", ")
                    )],
                });
            }
        }
        let gender = clean(&self.gender);
        let country = clean(&self.country);
        let language = clean(&self.language);
        let profession = clean(&self.profession);
        let hobbies = self.hobbies.items();
        let notes = clean(&self.notes);

        let mut sentences = Vec::new();
        if let Some(n) = &name {
            sentences.push(format!("My name is {n}."));
        }
        let age = age_band.as_deref().map(|b| match b {
            "under-18" => "under 18".to_string(),
            "65+" => "65 or older".to_string(),
            other => format!("{other} years old"),
        });
        match (&gender, &age) {
            (Some(g), Some(a)) => sentences.push(format!("I'm {} {g}, {a}.", article(g))),
            (Some(g), None) => sentences.push(format!("I'm {} {g}.", article(g))),
            (None, Some(a)) => sentences.push(format!("I'm {a}.")),
            (None, None) => {}
        }
        match (&profession, &country) {
            (Some(p), Some(c)) => sentences.push(format!("I work as {} {p} in {c}.", article(p))),
            (Some(p), None) => sentences.push(format!("I work as {} {p}.", article(p))),
            (None, Some(c)) => sentences.push(format!("I live in {c}.")),
            (None, None) => {}
        }
        if let Some(l) = &language {
            sentences.push(format!("I speak {l}."));
        }
        if !hobbies.is_empty() {
            sentences.push(format!(
                "In my free time I enjoy {}.",
                list_phrase(&hobbies)
            ));
        }
        if let Some(n) = &notes {
            sentences.push(n.clone());
        }
        if sentences.is_empty() {
            return Err(ZippError::InvalidPersona {
                problems: vec![
                    "survey: every answer is empty; answer at least one question".into(),
                ],
            });
        }

        let mut doc = PersonaDocument::with_text(sentences.join(" "));
        doc.id = name.as_deref().and_then(slug);
        doc.name = name;
        doc.traits = Traits {
            demographics: Demographics {
                age_band,
                gender,
                region: clean(&self.region),
                country,
                language,
                profession,
            },
            interests: hobbies,
            aesthetics: Vec::new(),
            affect: Vec::new(),
        };
        doc.provenance = Some(Provenance {
            source: Some("survey".into()),
            generator: Some(format!("libzipp {}", env!("CARGO_PKG_VERSION"))),
            ..Provenance::default()
        });
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_survey_reads_as_first_person() {
        let s = Survey::from_json(
            r#"{"name":"Aiko Tanaka","age_band":"25-34","gender":"woman","country":"Japan",
                "language":"Japanese","profession":"nurse","hobbies":"hiking, film photography",
                "notes":"I grew up by the sea."}"#,
        )
        .unwrap();
        let doc = s.to_document().unwrap();
        assert_eq!(
            doc.text,
            "My name is Aiko Tanaka. I'm a woman, 25-34 years old. I work as a nurse in Japan. \
             I speak Japanese. In my free time I enjoy hiking and film photography. I grew up by the sea."
        );
        assert_eq!(doc.id.as_deref(), Some("aiko-tanaka"));
        assert_eq!(doc.traits.interests, vec!["hiking", "film photography"]);
        assert_eq!(doc.traits.demographics.country.as_deref(), Some("Japan"));
        assert_eq!(doc.provenance.unwrap().source.as_deref(), Some("survey"));
    }

    #[test]
    fn bad_age_band_and_empty_survey_are_errors() {
        let s = Survey {
            age_band: Some("30".into()),
            ..Survey::default()
        };
        assert!(s
            .to_document()
            .unwrap_err()
            .to_string()
            .contains("survey.age_band: \"30\""));
        assert_eq!(
            Survey::default().to_document().unwrap_err().to_string(),
            "invalid persona: survey: every answer is empty; answer at least one question"
        );
    }

    #[test]
    fn unknown_survey_fields_are_rejected() {
        let err = Survey::from_json(r#"{"favourite_colour":"red"}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `favourite_colour`"),
            "{err}"
        );
    }

    #[test]
    fn articles_follow_the_word() {
        let s = Survey {
            profession: Some("architect".into()),
            ..Survey::default()
        };
        assert_eq!(s.to_document().unwrap().text, "I work as an architect.");
    }
}
