//! Every example persona validates against the JSON Schema shipped beside it, and the schema and
//! the library's own validator agree on valid and invalid documents.

mod support;

use serde_json::{json, Value};

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(support::repo("examples/personas/persona.schema.json"))
        .expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema compiles")
}

#[test]
fn every_example_matches_the_schema() {
    let validator = schema();
    let mut count = 0;
    for entry in std::fs::read_dir(support::repo("examples/personas")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") || path.ends_with("persona.schema.json") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        assert!(
            zipp::persona::validate_value(&doc).is_empty(),
            "{}",
            path.display()
        );
        let d = &doc;
        assert!(
            d["facets"].as_array().is_some_and(|f| f.len() >= 2),
            "{}: facets",
            path.display()
        );
        assert!(
            d["examples"].as_array().is_some_and(|e| e.len() >= 3),
            "{}: examples",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 8, "only {count} example personas");
}

#[test]
fn schema_and_validator_agree() {
    let validator = schema();
    let base = || json!({"schema": "zipp.persona/v1", "text": "I keep bees in Crete."});
    let mut valid = vec![base()];
    let mut v = base();
    v["x-host"] = json!({"anything": [1, 2]});
    valid.push(v);
    let mut v = base();
    v["evidence"] =
        json!([{"community": "r/beekeeping", "salience": 0.8, "snippets": ["smoke calms them"]}]);
    v["provenance"] = json!({"source": "mined", "run": 7});
    valid.push(v);

    let mut invalid = Vec::new();
    invalid.push(json!({"schema": "zipp.persona/v1"}));
    invalid.push(json!({"text": "I keep bees."}));
    invalid.push(json!({"schema": "zipp.persona/v2", "text": "I keep bees."}));
    for (key, value) in [
        ("text", json!("")),
        ("id", json!("-bad id")),
        ("traits", json!({"interests": ["bees", 3]})),
        ("traits", json!({"demographics": {"age_band": "forty"}})),
        ("traits", json!({"demographics": {"shoe_size": "42"}})),
        ("facets", json!([{"context": "portraits"}])),
        ("examples", json!([{"rewrite": "a bee"}])),
        (
            "evidence",
            json!([{"community": "r/bees", "salience": 1.5}]),
        ),
        ("provenance", json!({"source": "dreamt"})),
        ("colour", json!("gold")),
    ] {
        let mut v = base();
        v[key] = value;
        invalid.push(v);
    }
    for doc in &valid {
        assert!(validator.is_valid(doc), "schema rejects {doc}");
        assert!(
            zipp::persona::validate_value(doc).is_empty(),
            "validator rejects {doc}"
        );
    }
    for doc in &invalid {
        assert!(!validator.is_valid(doc), "schema accepts {doc}");
        assert!(
            !zipp::persona::validate_value(doc).is_empty(),
            "validator accepts {doc}"
        );
    }
}
