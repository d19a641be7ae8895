//! Prints the markdown report of a CSV written by the peers bench (its tables and how
//! csp stands against the wall-clock rules), for a CSV combined from several runs or
//! read again after the rules' reading changed:
//!
//! ```sh
//! cargo run --release -p csp-benches --bin report -- [benches/out/peers.csv]
//! ```

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = std::env::args()
        .nth(1)
        .map_or(root.join("out/peers.csv"), Into::into);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run the peers bench first)", path.display()));
    let results = csp_benches::report::parse_csv(&text);
    assert!(!results.is_empty(), "no rows in {}", path.display());
    print!("{}", csp_benches::report::markdown(&results));
}
