//! Graph file images (the format of docs/graph-format.md): the header and validation, then
//! every accessor on the first users and communities of what loads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zipp::mine::graph::Graph;

fuzz_target!(|data: &[u8]| {
    let words: Vec<u64> = data
        .chunks(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .collect();
    let Ok(graph) = Graph::from_words(words) else {
        return;
    };
    let _ = graph.meta();
    let _ = graph.name_index();
    for user in 0..graph.users().min(64) {
        let _ = graph.user_name(user);
        let _ = graph.user_edges(user);
        let _ = graph.user_snippets(user).count();
        let _ = graph.user_images(user).count();
    }
    for community in 0..graph.communities().min(64) {
        let _ = graph.community_name(community);
        let _ = graph.community_users(community);
    }
});
