//! Validation of a persona document as JSON, reporting every problem with its JSON path.

use serde_json::{Map, Value};

use super::document::SCHEMA_V1;
use super::survey::AGE_BANDS;
use crate::error::{Result, ZippError};

/// Longest string allowed for short fields (names, demographics, list items).
const SHORT: usize = 256;
/// Longest string allowed for long fields (styles, examples, snippets).
const LONG: usize = 4096;

/// Every problem in `value` as "path: message"; empty when the document is valid.
pub fn validate_value(value: &Value) -> Vec<String> {
    let mut v = Validator::default();
    v.document(value);
    v.problems
}

/// Fails with [`ZippError::InvalidPersona`] listing every problem, if there is any.
pub(crate) fn check(value: &Value) -> Result<()> {
    let problems = validate_value(value);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ZippError::InvalidPersona { problems })
    }
}

#[derive(Default)]
struct Validator {
    problems: Vec<String>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Validator {
    fn problem(&mut self, path: &str, message: impl AsRef<str>) {
        let path = if path.is_empty() { "(document)" } else { path };
        self.problems.push(format!("{path}: {}", message.as_ref()));
    }

    fn document(&mut self, value: &Value) {
        let Some(obj) = self.object(value, "") else {
            return;
        };
        match obj.get("schema") {
            None => self.problem(
                "schema",
                format!("missing; add \"schema\": \"{SCHEMA_V1}\""),
            ),
            Some(Value::String(s)) if s == SCHEMA_V1 => {}
            Some(Value::String(s)) => self.problem(
                "schema",
                format!("unsupported version \"{s}\" (expected \"{SCHEMA_V1}\")"),
            ),
            Some(other) => self.problem(
                "schema",
                format!("expected a string, found {}", kind(other)),
            ),
        }
        match obj.get("text") {
            None => self.problem(
                "text",
                "missing (the persona in the first person is required)",
            ),
            Some(t) => self.string(t, "text", super::MAX_TEXT_BYTES),
        }
        if let Some(id) = obj.get("id") {
            self.id(id);
        }
        if let Some(name) = obj.get("name") {
            self.string(name, "name", 128);
        }
        if let Some(traits) = obj.get("traits") {
            self.traits(traits);
        }
        if let Some(facets) = obj.get("facets") {
            self.array(facets, "facets", 32, |v, item, path| {
                v.record(
                    item,
                    &path,
                    &[("context", true, SHORT), ("style", true, 1024)],
                )
            });
        }
        if let Some(examples) = obj.get("examples") {
            self.array(examples, "examples", 64, |v, item, path| {
                v.record(
                    item,
                    &path,
                    &[("prompt", true, LONG), ("rewrite", false, LONG)],
                )
            });
        }
        if let Some(evidence) = obj.get("evidence") {
            self.array(evidence, "evidence", 256, |v, item, path| {
                v.evidence(item, &path)
            });
        }
        if let Some(provenance) = obj.get("provenance") {
            self.provenance(provenance);
        }
        for key in obj.keys() {
            let known = matches!(
                key.as_str(),
                "schema"
                    | "id"
                    | "name"
                    | "text"
                    | "traits"
                    | "facets"
                    | "examples"
                    | "evidence"
                    | "provenance"
            );
            if !known && !key.starts_with("x-") {
                self.problem(
                    key,
                    "unknown field (extension fields must start with \"x-\")",
                );
            }
        }
    }

    fn object<'a>(&mut self, value: &'a Value, path: &str) -> Option<&'a Map<String, Value>> {
        match value {
            Value::Object(obj) => Some(obj),
            other => {
                self.problem(path, format!("expected an object, found {}", kind(other)));
                None
            }
        }
    }

    fn string(&mut self, value: &Value, path: &str, max_bytes: usize) {
        match value {
            Value::String(s) if s.trim().is_empty() => self.problem(path, "must not be empty"),
            Value::String(s) if s.len() > max_bytes => self.problem(
                path,
                format!("{} bytes, over the limit of {max_bytes}", s.len()),
            ),
            Value::String(_) => {}
            other => self.problem(path, format!("expected a string, found {}", kind(other))),
        }
    }

    fn id(&mut self, value: &Value) {
        self.string(value, "id", 64);
        if let Value::String(s) = value {
            let ok = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !ok && !s.is_empty() {
                self.problem(
                    "id",
                    "use letters, digits, '.', '_' and '-' only, starting with a letter or digit",
                );
            }
        }
    }

    fn array(
        &mut self,
        value: &Value,
        path: &str,
        max_items: usize,
        mut item: impl FnMut(&mut Self, &Value, String),
    ) {
        match value {
            Value::Array(items) => {
                if items.len() > max_items {
                    self.problem(
                        path,
                        format!("{} items, over the limit of {max_items}", items.len()),
                    );
                }
                for (i, v) in items.iter().enumerate() {
                    item(self, v, format!("{path}[{i}]"));
                }
            }
            other => self.problem(path, format!("expected an array, found {}", kind(other))),
        }
    }

    fn string_list(&mut self, value: &Value, path: &str) {
        self.array(value, path, 64, |v, item, p| v.string(item, &p, SHORT));
    }

    /// An object with only the given string fields: (name, required, max bytes).
    fn record(&mut self, value: &Value, path: &str, fields: &[(&str, bool, usize)]) {
        let Some(obj) = self.object(value, path) else {
            return;
        };
        for (name, required, max) in fields {
            let p = join(path, name);
            match obj.get(*name) {
                Some(v) => self.string(v, &p, *max),
                None if *required => self.problem(&p, "missing"),
                None => {}
            }
        }
        for key in obj.keys() {
            if !fields.iter().any(|(name, _, _)| name == key) {
                self.problem(&join(path, key), "unknown field");
            }
        }
    }

    fn traits(&mut self, value: &Value) {
        let Some(obj) = self.object(value, "traits") else {
            return;
        };
        for (key, v) in obj {
            match key.as_str() {
                "demographics" => self.demographics(v),
                "interests" | "aesthetics" | "affect" => self.string_list(v, &join("traits", key)),
                _ => self.problem(
                    &join("traits", key),
                    "unknown field (expected demographics, interests, aesthetics or affect)",
                ),
            }
        }
    }

    fn demographics(&mut self, value: &Value) {
        let path = "traits.demographics";
        let fields = [
            ("age_band", false, 16),
            ("gender", false, 64),
            ("region", false, 128),
            ("country", false, 128),
            ("language", false, 64),
            ("profession", false, 128),
        ];
        self.record(value, path, &fields);
        if let Some(Value::String(band)) = value.get("age_band") {
            if !AGE_BANDS.contains(&band.as_str()) {
                self.problem(
                    &join(path, "age_band"),
                    format!("\"{band}\" is not one of {}", AGE_BANDS.join(", ")),
                );
            }
        }
    }

    fn evidence(&mut self, value: &Value, path: &str) {
        let Some(obj) = self.object(value, path) else {
            return;
        };
        match obj.get("community") {
            Some(c) => self.string(c, &join(path, "community"), SHORT),
            None => self.problem(&join(path, "community"), "missing"),
        }
        match obj.get("salience") {
            Some(Value::Number(n)) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if !(0.0..=1.0).contains(&x) {
                    self.problem(&join(path, "salience"), format!("{x} is outside [0, 1]"));
                }
            }
            Some(other) => self.problem(
                &join(path, "salience"),
                format!("expected a number, found {}", kind(other)),
            ),
            None => self.problem(&join(path, "salience"), "missing"),
        }
        if let Some(snippets) = obj.get("snippets") {
            self.array(snippets, &join(path, "snippets"), 64, |v, item, p| {
                v.string(item, &p, LONG)
            });
        }
        for key in obj.keys() {
            if !matches!(key.as_str(), "community" | "salience" | "snippets") {
                self.problem(&join(path, key), "unknown field");
            }
        }
    }

    fn provenance(&mut self, value: &Value) {
        let Some(obj) = self.object(value, "provenance") else {
            return;
        };
        for key in ["created", "generator", "notes"] {
            if let Some(v) = obj.get(key) {
                self.string(v, &join("provenance", key), LONG);
            }
        }
        if let Some(v) = obj.get("source") {
            match v.as_str() {
                Some("hand-written" | "survey" | "mined" | "edited") => {}
                Some(s) => self.problem(
                    "provenance.source",
                    format!("\"{s}\" is not one of hand-written, survey, mined, edited"),
                ),
                None => self.problem(
                    "provenance.source",
                    format!("expected a string, found {}", kind(v)),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_minimal_document_is_valid() {
        assert!(validate_value(&json!({"schema": SCHEMA_V1, "text": "I paint."})).is_empty());
    }

    #[test]
    fn every_problem_has_its_path() {
        let doc = json!({
            "schema": "zipp.persona/v9",
            "traits": {"interests": ["tea", "ink", 3], "demographics": {"age_band": "old"}},
            "facets": [{"context": "portraits"}],
            "evidence": [{"community": "r/tea", "salience": 2}],
            "colour": "blue"
        });
        let problems = validate_value(&doc);
        let expected = [
            "schema: unsupported version \"zipp.persona/v9\" (expected \"zipp.persona/v1\")",
            "text: missing (the persona in the first person is required)",
            "traits.demographics.age_band: \"old\" is not one of under-18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+",
            "traits.interests[2]: expected a string, found a number",
            "facets[0].style: missing",
            "evidence[0].salience: 2 is outside [0, 1]",
            "colour: unknown field (extension fields must start with \"x-\")",
        ];
        for e in expected {
            assert!(
                problems.iter().any(|p| p == e),
                "missing {e:?} in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    }

    #[test]
    fn extension_fields_are_allowed() {
        let doc = json!({"schema": SCHEMA_V1, "text": "I paint.", "x-host": {"a": 1}});
        assert!(validate_value(&doc).is_empty());
    }

    #[test]
    fn a_non_object_is_rejected() {
        assert_eq!(
            validate_value(&json!([1])),
            vec!["(document): expected an object, found an array"]
        );
    }
}
