//! Visual taste inferred from who a person is: interests, region, profession and age band mapped
//! to palettes, light, motifs, media and mood through a curated vocabulary (`vocabulary.json`),
//! then composed into aesthetics and per-subject facets. Personas from intake surveys carry no
//! visual words; this gives every backend, `rules` included, a taste to work with.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub mod model;

use crate::persona::{Facet, Persona};
use crate::text::subject::Profile;
use crate::text::words::words;

/// One vocabulary entry: the words that select it and what it contributes.
#[derive(Debug, Clone, Default, Deserialize)]
struct Entry {
    #[serde(rename = "match")]
    keys: Vec<String>,
    #[serde(default)]
    palette: Vec<String>,
    #[serde(default)]
    light: Vec<String>,
    #[serde(default)]
    motifs: Vec<String>,
    #[serde(default)]
    media: Vec<String>,
    #[serde(default)]
    mood: Vec<String>,
    #[serde(default)]
    avoid: Vec<String>,
}

/// A facet template: a subject context and the order its clauses are drawn in.
#[derive(Debug, Clone, Deserialize)]
struct ContextTemplate {
    context: String,
    order: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
struct Vocabulary {
    interests: Vec<Entry>,
    regions: Vec<Entry>,
    professions: Vec<Entry>,
    age_bands: Vec<Entry>,
    contexts: Vec<ContextTemplate>,
}

fn vocabulary() -> &'static Vocabulary {
    static V: OnceLock<Vocabulary> = OnceLock::new();
    V.get_or_init(|| serde_json::from_str(include_str!("vocabulary.json")).unwrap_or_default())
}

/// A visual-taste profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Taste {
    /// Colour palettes.
    pub palette: Vec<String>,
    /// Kinds of light.
    pub light: Vec<String>,
    /// Recurring things in the picture.
    pub motifs: Vec<String>,
    /// Media and styles.
    pub media: Vec<String>,
    /// Moods.
    pub mood: Vec<String>,
    /// What this person would dislike.
    pub avoid: Vec<String>,
    /// Per-subject styles.
    pub facets: Vec<Facet>,
    /// What the profile was inferred from ("interest: football", "region: mexico", ...).
    pub sources: Vec<String>,
    /// Which part of the vocabulary each item came from.
    #[serde(skip)]
    origins: BTreeMap<String, Origin>,
}

/// The part of the vocabulary an item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Interest,
    Region,
    Profession,
    Age,
}

impl Origin {
    /// Whether items of this origin suit facets of `context` (a region's colours belong on its
    /// streets and buildings, a hobby's on people and things).
    fn suits(self, context: &str) -> bool {
        let c = context.to_lowercase();
        let any = |ks: &[&str]| ks.iter().any(|k| c.contains(k));
        match self {
            Origin::Region => any(&["street", "building", "nature", "event"]),
            Origin::Interest => any(&["people", "object", "food", "animal", "event"]),
            Origin::Profession => any(&["people", "object"]),
            // An age band is the weakest hint of taste: its items only fill in.
            Origin::Age => false,
        }
    }
}

/// Whether `phrase` (lower case, words) occurs as whole words in `text`'s words.
fn contains_phrase(text_words: &[String], phrase: &str) -> bool {
    let p: Vec<String> = words(phrase).collect();
    !p.is_empty() && text_words.windows(p.len()).any(|w| w == p.as_slice())
}

impl Taste {
    /// Whether nothing was inferred.
    pub fn is_empty(&self) -> bool {
        self.palette.is_empty() && self.light.is_empty() && self.media.is_empty()
    }

    fn add(&mut self, entry: &Entry, source: String, origin: Origin) {
        for item in entry
            .palette
            .iter()
            .chain(&entry.light)
            .chain(&entry.motifs)
            .chain(&entry.media)
        {
            self.origins.entry(item.clone()).or_insert(origin);
        }
        let push = |into: &mut Vec<String>, from: &[String]| {
            for item in from {
                if !into.contains(item) {
                    into.push(item.clone());
                }
            }
        };
        push(&mut self.palette, &entry.palette);
        push(&mut self.light, &entry.light);
        push(&mut self.motifs, &entry.motifs);
        push(&mut self.media, &entry.media);
        push(&mut self.mood, &entry.mood);
        push(&mut self.avoid, &entry.avoid);
        self.sources.push(source);
    }

    fn field(&self, name: &str) -> &[String] {
        match name {
            "palette" => &self.palette,
            "light" => &self.light,
            "motifs" => &self.motifs,
            "media" => &self.media,
            "mood" => &self.mood,
            _ => &[],
        }
    }

    /// Up to six aesthetics, alternating palette, light, media and motifs, the first sources
    /// first: the short list a person would read as their taste.
    pub fn aesthetics(&self) -> Vec<String> {
        self.items(6)
    }

    /// Up to `n` aesthetics in the order of [`Taste::aesthetics`], drawing on every source.
    pub fn items(&self, n: usize) -> Vec<String> {
        let mut out = Vec::new();
        let deepest = ["palette", "light", "media", "motifs"]
            .iter()
            .map(|f| self.field(f).len())
            .max()
            .unwrap_or(0);
        for i in 0..deepest {
            for f in ["palette", "light", "media", "motifs"] {
                if let Some(item) = self.field(f).get(i) {
                    if out.len() < n && !out.contains(item) {
                        out.push(item.clone());
                    }
                }
            }
        }
        out
    }
}

/// The taste of `persona` from its traits (or, for a plain-text persona, its text).
pub fn elicit(persona: &Persona) -> Taste {
    let v = vocabulary();
    let doc = persona.document();
    let mut taste = Taste::default();
    let text_words: Vec<String> = words(&doc.text).collect();
    let demo = &doc.traits.demographics;
    // Where someone lives sets the palette and light of their everyday world, their work the
    // places they know best, their hobbies the details: added in that order, so that the
    // first aesthetics come from the region and the profession. Regions by exact name or code
    // of the country, then of the region, then by full name in the text.
    let places: Vec<String> = [&demo.country, &demo.region]
        .into_iter()
        .flatten()
        .map(|p| p.trim().to_lowercase())
        .collect();
    let region = places
        .iter()
        .find_map(|place| {
            v.regions
                .iter()
                .find_map(|e| e.keys.iter().find(|k| *k == place).map(|k| (e, k)))
        })
        .or_else(|| {
            v.regions.iter().find_map(|e| {
                e.keys
                    .iter()
                    .find(|k| k.len() > 3 && contains_phrase(&text_words, k))
                    .map(|k| (e, k))
            })
        });
    if let Some((e, k)) = region {
        taste.add(e, format!("region: {k}"), Origin::Region);
    }
    let profession: Vec<String> = demo
        .profession
        .as_deref()
        .map(|p| words(p).collect())
        .unwrap_or_else(|| text_words.clone());
    if let Some((e, k)) = v.professions.iter().find_map(|e| {
        e.keys
            .iter()
            .find(|k| contains_phrase(&profession, k))
            .map(|k| (e, k))
    }) {
        taste.add(e, format!("profession: {k}"), Origin::Profession);
    }
    let interests: Vec<Vec<String>> = if doc.traits.interests.is_empty() {
        vec![text_words.clone()]
    } else {
        doc.traits
            .interests
            .iter()
            .map(|i| words(i).collect())
            .collect()
    };
    for interest in &interests {
        for e in &v.interests {
            if let Some(k) = e.keys.iter().find(|k| contains_phrase(interest, k)) {
                if !taste
                    .sources
                    .iter()
                    .any(|s| s.ends_with(&format!(": {}", e.keys[0])))
                {
                    taste.add(
                        e,
                        format!("interest ({k}): {}", e.keys[0]),
                        Origin::Interest,
                    );
                }
            }
        }
    }
    if let Some(band) = &demo.age_band {
        if let Some(e) = v.age_bands.iter().find(|e| e.keys.contains(band)) {
            taste.add(e, format!("age band: {band}"), Origin::Age);
        }
    }
    if !taste.is_empty() {
        // Every item is compared with every context: their profiles are made once.
        let profiles: HashMap<&str, Profile> = ["palette", "light", "motifs", "media", "mood"]
            .iter()
            .flat_map(|f| taste.field(f))
            .map(|item| (item.as_str(), Profile::of(item)))
            .collect();
        taste.facets = v
            .contexts
            .iter()
            .enumerate()
            .map(|(ci, t)| {
                let context = Profile::of(&t.context);
                // Per field, the item that fits the context's subject best; among equals, one
                // chosen by the context's position, so that contexts do not all look alike.
                let clauses: Vec<String> = t
                    .order
                    .iter()
                    .filter_map(|f| {
                        let items = taste.field(f);
                        let n = items.len();
                        (0..n)
                            .max_by_key(|&i| {
                                let suits = taste
                                    .origins
                                    .get(&items[i])
                                    .is_some_and(|o| o.suits(&t.context));
                                let fit = profiles
                                    .get(items[i].as_str())
                                    .map_or(0, |p| context.fit(p));
                                (fit, suits, n - (i + n - ci % n) % n)
                            })
                            .map(|i| items[i].clone())
                    })
                    .collect();
                Facet {
                    context: t.context.clone(),
                    style: clauses.join(", "),
                }
            })
            .filter(|f| !f.style.is_empty())
            .collect();
    }
    taste
}

/// Aesthetics a completed persona gets at most (the model's phrases and the vocabulary's): a
/// pool wide enough that one persona's pictures draw different clauses.
const MAX_AESTHETICS: usize = 16;

/// `persona` with the inferred taste filled in where it has none of its own (aesthetics, facets,
/// affect); None when it has all three or nothing could be inferred.
pub fn complete(persona: &Persona) -> Option<Persona> {
    complete_with(persona, &[], None)
}

/// [`complete`] with phrases a model inferred ([`model::elicit_with_model`]) put first among the
/// aesthetics, and the model named in the sources.
pub fn complete_with(
    persona: &Persona,
    phrases: &[String],
    model: Option<&str>,
) -> Option<Persona> {
    let doc = persona.document();
    if !doc.traits.aesthetics.is_empty() && !doc.facets.is_empty() && !doc.traits.affect.is_empty()
    {
        return None;
    }
    let mut taste = elicit(persona);
    if taste.is_empty() && phrases.is_empty() {
        return None;
    }
    let mut doc = doc.clone();
    if doc.traits.aesthetics.is_empty() {
        let mut all: Vec<String> = phrases.to_vec();
        for a in taste.items(MAX_AESTHETICS) {
            if !all.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
                all.push(a);
            }
        }
        all.truncate(MAX_AESTHETICS);
        doc.traits.aesthetics = all;
    }
    if doc.facets.is_empty() {
        doc.facets = taste.facets.clone();
    }
    if doc.traits.affect.is_empty() {
        doc.traits.affect = taste.mood.iter().take(3).cloned().collect();
    }
    if !phrases.is_empty() {
        taste
            .sources
            .insert(0, format!("model: {}", model.unwrap_or("unknown")));
    }
    doc.extensions.insert(
        "x-zipp-taste-sources".to_string(),
        serde_json::Value::from(taste.sources.clone()),
    );
    match Persona::new(doc) {
        Ok(p) => Some(p),
        Err(e) => {
            log::warn!("the inferred taste did not validate: {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persona::Survey;

    fn survey(country: &str, profession: &str, hobbies: &[&str], age: &str) -> Persona {
        let s: Survey = serde_json::from_value(serde_json::json!({
            "name": "Test", "age_band": age, "country": country, "profession": profession,
            "hobbies": hobbies,
        }))
        .unwrap();
        Persona::from_survey(&s).unwrap()
    }

    #[test]
    fn the_vocabulary_parses() {
        let v = vocabulary();
        assert!(v.interests.len() >= 30 && v.regions.len() >= 20 && v.contexts.len() >= 8);
    }

    #[test]
    fn a_survey_without_visual_words_gets_a_taste_and_facets() {
        let p = survey("Mexico", "nurse", &["football", "cooking"], "25-34");
        let t = elicit(&p);
        assert!(t.palette.iter().any(|x| x.contains("marigold")), "{t:?}");
        assert!(
            t.sources
                .iter()
                .any(|s| s.starts_with("interest (football)")),
            "{:?}",
            t.sources
        );
        assert!(t.sources.iter().any(|s| s == "profession: nurse"));
        assert_eq!(t.facets.len(), 8);
        let done = complete(&p).unwrap();
        assert_eq!(t.aesthetics().len(), 6);
        let pool = &done.document().traits.aesthetics;
        assert!(pool.len() > 6 && pool.len() <= MAX_AESTHETICS, "{pool:?}");
        assert_eq!(pool[..6], t.aesthetics()[..]);
        assert!(!done.document().facets.is_empty());
    }

    #[test]
    fn different_people_get_different_tastes_and_contexts_differ() {
        let a = elicit(&survey(
            "Japan",
            "convenience store clerk",
            &["jazz"],
            "45-54",
        ));
        let b = elicit(&survey("Nigeria", "teacher", &["football"], "18-24"));
        assert_ne!(a.aesthetics(), b.aesthetics());
        let styles: std::collections::BTreeSet<&str> =
            a.facets.iter().map(|f| f.style.as_str()).collect();
        assert!(
            styles.len() >= 6,
            "facets should not all look alike: {styles:?}"
        );
    }

    #[test]
    fn country_codes_match_exactly_not_inside_words() {
        let t = elicit(&survey("IN", "student", &[], "18-24"));
        assert!(
            t.sources.contains(&"region: in".to_string()),
            "{:?}",
            t.sources
        );
        let plain = Persona::from_text("I live in a small flat and like rainy days.").unwrap();
        assert!(!elicit(&plain)
            .sources
            .iter()
            .any(|s| s.starts_with("region")));
    }

    #[test]
    fn personas_with_their_own_taste_are_left_alone() {
        let p = Persona::from_file("examples/personas/priya-bengaluru.json").unwrap();
        assert!(complete(&p).is_none());
    }
}
