//! Mining part 1: synthetic Reddit dumps round-trip through the ingest into exactly the planted
//! graph; bad input is counted and reported without stopping the run; graph files round-trip and
//! corrupt ones are refused.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use zipp::mine::graph::Graph;
use zipp::mine::ingest::{collect_inputs, ingest, IngestOptions};
use zipp::mine::synth::{generate, SynthConfig};
use zipp::{ZippError, ZippStatus};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zipp-mine-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The ground truth's edges: user -> community -> count.
fn truth_edges(dir: &Path) -> BTreeMap<String, BTreeMap<String, u32>> {
    let text = std::fs::read_to_string(dir.join("truth/users.jsonl")).unwrap();
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let edges = v["edges"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(c, n)| (c.clone(), n.as_u64().unwrap() as u32))
                .collect();
            (v["user"].as_str().unwrap().to_string(), edges)
        })
        .collect()
}

fn graph_edges(g: &Graph) -> BTreeMap<String, BTreeMap<String, u32>> {
    (0..g.users())
        .map(|u| {
            let e = g.user_edges(u);
            let edges = e
                .communities
                .iter()
                .zip(e.counts)
                .map(|(c, n)| (g.community_name(*c).to_string(), *n))
                .collect();
            (g.user_name(u).to_string(), edges)
        })
        .collect()
}

#[test]
fn a_synthetic_month_round_trips_exactly() {
    let dir = temp_dir("roundtrip");
    let config = SynthConfig::default(); // 20,000 users, 2,000 communities, 400,000 interactions
    let summary = generate(&config, &dir).unwrap();
    assert_eq!(summary.interactions, 400_000);

    let inputs = collect_inputs(&[dir.join("reddit")]).unwrap();
    assert_eq!(inputs.len(), 2, "RC_ and RS_ files");
    // The fast line parser agrees with serde's on real-shaped lines of both kinds.
    for input in &inputs {
        use std::io::BufRead;
        let decoder =
            zstd::stream::read::Decoder::new(std::fs::File::open(&input.path).unwrap()).unwrap();
        for line in std::io::BufReader::new(decoder).lines().take(5_000) {
            let line = line.unwrap();
            assert_eq!(
                zipp::mine::ingest::parse_line(&line),
                zipp::mine::ingest::parse_line_strict(&line),
                "{line}"
            );
        }
    }
    let mut ticks = 0;
    let (graph, report) = ingest(&inputs, &IngestOptions::default(), |_| ticks += 1).unwrap();
    assert!(ticks >= 2, "progress is reported");

    assert_eq!(report.kept, 400_000);
    assert_eq!(report.bad_lines(), 0, "{:?}", report.samples);
    assert_eq!(
        report.deleted_author,
        summary.noise.get("deleted_author").copied().unwrap_or(0)
    );
    assert_eq!(
        report.removed_text,
        summary.noise.get("removed_text").copied().unwrap_or(0)
    );
    assert_eq!(report.bots, summary.noise.get("bots").copied().unwrap_or(0));
    assert_eq!(report.bytes, summary.bytes);

    let c = graph.counts();
    assert_eq!(
        (c.users, c.communities, c.edges),
        (20_000, 2_000, summary.edges)
    );
    assert_eq!(
        graph_edges(&graph),
        truth_edges(&dir),
        "graph edges equal the planted ones exactly"
    );

    // Both CSR directions agree.
    let mut from_comms: HashMap<(u32, u32), u64> = HashMap::new();
    for cm in 0..graph.communities() {
        let (users, idx) = graph.community_users(cm);
        assert!(users.windows(2).all(|w| w[0] < w[1]));
        for (u, e) in users.iter().zip(idx) {
            from_comms.insert((*u, cm), *e);
        }
    }
    assert_eq!(from_comms.len() as u64, c.edges);
    for u in (0..graph.users()).step_by(97) {
        let e = graph.user_edges(u);
        for (k, cm) in e.communities.iter().enumerate() {
            assert_eq!(from_comms[&(u, *cm)], e.first_edge + k as u64);
        }
    }

    // Snippets, images and the hold-out split.
    assert!(c.snippets > 0 && c.images > 0);
    let heavy = (0..graph.users())
        .max_by_key(|u| graph.user_edges(*u).communities.len())
        .unwrap();
    let snippets: Vec<_> = graph.user_snippets(heavy).collect();
    assert!(snippets.len() <= 48 && !snippets.is_empty());
    assert!(snippets
        .iter()
        .all(|s| s.tokens as usize == s.text.len().div_ceil(4)));
    assert!(graph.user_images(heavy).count() <= 64);
    for u in 0..graph.users() {
        let e = graph.user_edges(u);
        let held = e.held_out.iter().filter(|h| **h == 1).count();
        assert_eq!(
            held,
            zipp::mine::graph::held_out_count(e.communities.len(), 0.2)
        );
    }

    // Saved, memory-mapped, identical.
    let path = dir.join("month.graph");
    graph.save(&path).unwrap();
    let loaded = Graph::load(&path).unwrap();
    assert_eq!(loaded.bytes(), graph.bytes());
    assert_eq!(loaded.meta()["report"]["kept"], 400_000);

    // Another seed draws another split of the same graph.
    let other = ingest(
        &inputs,
        &IngestOptions {
            seed: 9,
            ..IngestOptions::default()
        },
        |_| (),
    )
    .unwrap()
    .0;
    assert_eq!(graph_edges(&other), graph_edges(&graph));
    assert_ne!(other.bytes(), graph.bytes());
    let _ = std::fs::remove_dir_all(&dir);
}

fn zst(path: &Path, text: &[u8]) {
    let data = zstd::encode_all(text, 3).unwrap();
    std::fs::write(path, data).unwrap();
}

fn comment(user: &str, sub: &str, body: &str) -> String {
    serde_json::json!({"author": user, "subreddit": sub, "body": body, "created_utc": 1_600_000_000, "score": 1}).to_string()
}

#[test]
fn bad_input_is_counted_and_the_rest_ingested() {
    let dir = temp_dir("bad");
    let mut lines = vec![
        comment("ana", "pottery", "glaze test"),
        "this is not json".to_string(),
    ];
    lines.push(format!(
        "{{\"author\":\"ana\",\"subreddit\":\"pottery\",\"body\":\"{}\"}}",
        "x".repeat(1 << 20)
    ));
    lines.push(r#"{"subreddit":"pottery","body":"who wrote this"}"#.to_string());
    lines.push(comment("ben", "tea", "oolong"));
    let mut bytes = lines.join("\n").into_bytes();
    bytes
        .extend_from_slice(b"\n{\"author\":\"caro\",\"subreddit\":\"tea\",\"body\":\"caf\xe9\"}\n");
    bytes.extend_from_slice(comment("caro", "tea", "sencha").as_bytes());
    bytes.push(b'\n');
    zst(&dir.join("RC_2020-09.zst"), &bytes);

    // A second file whose zstd frame is cut in half: the complete lines before the cut count.
    let good: String = (0..20_000)
        .map(|i| {
            comment(
                &format!("u{i}"),
                "knitting",
                &format!("comment {} about yarn and colour", i * 7919 % 10007),
            ) + "\n"
        })
        .collect();
    let full = zstd::encode_all(good.as_bytes(), 3).unwrap();
    std::fs::write(dir.join("RC_2020-10.zst"), &full[..full.len() / 2]).unwrap();

    let inputs = collect_inputs(std::slice::from_ref(&dir)).unwrap();
    let (graph, r) = ingest(&inputs, &IngestOptions::default(), |_| ()).unwrap();
    assert_eq!(
        (r.malformed, r.too_long, r.missing_field, r.invalid_utf8),
        (1, 1, 1, 1),
        "{:#?}",
        r.samples
    );
    assert_eq!(r.broken_files, 1);
    let reasons: Vec<String> = r
        .samples
        .iter()
        .map(|s| format!("{}:{}", s.line, s.reason))
        .collect();
    assert!(
        reasons.iter().any(|s| s.starts_with("2:not a JSON record")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|s| s.starts_with("3:line of 1048624 bytes is over the 1048576 byte limit")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|s| s == "4:missing field `author`"),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|s| s == "6:not UTF-8 (first bad byte at offset 46)"),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|s| s.starts_with("0:stream broken after")),
        "{reasons:?}"
    );
    let (users, comms) = graph.name_index();
    assert!(users.contains_key("ana") && users.contains_key("ben") && users.contains_key("caro"));
    assert!(
        comms.contains_key("knitting"),
        "lines before the cut are kept"
    );
    let knitters = graph.community_users(comms["knitting"]).0.len() as u64;
    assert!(knitters > 1000 && knitters < 20_000, "{knitters}");
    // The partial line at the cut is lost with the broken stream; the report names the file.

    let strict = IngestOptions {
        strict: true,
        ..IngestOptions::default()
    };
    let err = ingest(&inputs, &strict, |_| ()).unwrap_err();
    assert_eq!(err.status(), ZippStatus::InvalidInput);
    assert!(
        err.to_string()
            .ends_with("RC_2020-09.zst:2: not a JSON record: expected `{` at byte 0"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_and_generic_jsonl_logs() {
    let dir = temp_dir("csv");
    std::fs::write(
        dir.join("log.csv"),
        "timestamp,user,community,text,image\n2021-05-01,mei,tea,\"jasmine, pearls\",/img/1.png\n1620000000,mei,ink,,\n,,ink,orphan,\n2021-04-30,mei,old,,\n",
    )
    .unwrap();
    let mut f = std::fs::File::create(dir.join("log.jsonl")).unwrap();
    writeln!(
        f,
        r#"{{"user":"ravi","community":"tea","text":"masala","timestamp":"2021-05-02T10:00:00Z"}}"#
    )
    .unwrap();
    let since = IngestOptions {
        since: Some(1_619_827_200),
        ..IngestOptions::default()
    }; // 2021-05-01
    let (g, r) = ingest(
        &collect_inputs(std::slice::from_ref(&dir)).unwrap(),
        &since,
        |_| (),
    )
    .unwrap();
    assert_eq!(
        (r.kept, r.missing_field, r.out_of_range),
        (3, 1, 1),
        "{:?}",
        r.samples
    );
    let (users, comms) = g.name_index();
    let mei = g.user_edges(users["mei"]);
    assert_eq!(mei.communities, &[comms["tea"], comms["ink"]]);
    assert!(!comms.contains_key("old"));
    assert_eq!(
        g.user_images(users["mei"]).collect::<Vec<_>>(),
        vec!["/img/1.png"]
    );
    assert_eq!(
        g.user_snippets(users["mei"]).next().unwrap().text,
        "jasmine, pearls"
    );
    assert_eq!(g.user_edges(users["ravi"]).first, &[1_619_949_600]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn activity_thresholds_repeat_until_stable() {
    let dir = temp_dir("thresholds");
    let mut lines = Vec::new();
    for (u, c, n) in [
        ("a", "big", 3),
        ("b", "big", 2),
        ("b", "small", 1),
        ("c", "big", 1),
        ("d", "small", 1),
        ("e", "big", 2),
    ] {
        for _ in 0..n {
            lines.push(comment(u, c, "words"));
        }
    }
    std::fs::write(dir.join("x.jsonl"), lines.join("\n")).unwrap();
    let o = IngestOptions {
        min_user_interactions: 2,
        min_community_users: 2,
        ..IngestOptions::default()
    };
    let (g, r) = ingest(
        &collect_inputs(std::slice::from_ref(&dir)).unwrap(),
        &o,
        |_| (),
    )
    .unwrap();
    // c and d have one interaction; then "small" has only b, so it goes, and b keeps "big".
    let (users, comms) = g.name_index();
    assert_eq!(users.len(), 3);
    assert_eq!(comms.keys().copied().collect::<Vec<_>>(), vec!["big"]);
    assert_eq!(
        (r.users_below_threshold, r.communities_below_threshold),
        (2, 1)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupt_graph_files_are_refused() {
    let dir = temp_dir("corrupt");
    std::fs::write(dir.join("x.jsonl"), comment("a", "b", "c")).unwrap();
    let (g, _) = ingest(
        &collect_inputs(std::slice::from_ref(&dir)).unwrap(),
        &IngestOptions::default(),
        |_| (),
    )
    .unwrap();
    let path = dir.join("g.graph");
    g.save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let check = |data: &[u8], expected: &str| {
        std::fs::write(&path, data).unwrap();
        let err: ZippError = Graph::load(&path).unwrap_err();
        assert_eq!(err.status(), ZippStatus::InvalidGraph);
        assert_eq!(err.to_string(), format!("invalid graph file: {expected}"));
    };
    check(&bytes[..100], "not a libzipp graph file (bad magic)");
    let mut v = bytes.clone();
    v[8] = 9;
    check(&v, "graph format version 9; this build reads version 1");
    check(
        &bytes[..bytes.len() - 16],
        "section meta_json lies outside the file or is misaligned",
    );
    let mut v = bytes.clone();
    v[16] = 7; // users count
    check(&v, "section user_name_offsets has the wrong length");
    assert_eq!(
        Graph::load(dir.join("missing.graph")).unwrap_err().status(),
        ZippStatus::Io
    );
    let _ = std::fs::remove_dir_all(&dir);
}
