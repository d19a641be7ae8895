//! Runs `examples/tour.rs` on each runtime and checks what it prints against the aiochan
//! tutorial: exactly where the tutorial's output is deterministic, and by its invariants
//! (each producer's items in order, at most one worker holding the lock, ...) where
//! the interleaving depends on timing.

#[allow(dead_code)]
#[path = "../examples/tour.rs"]
mod tour;

use std::collections::BTreeSet;

use tour::{Out, Time};

/// The tutorial's seconds are scaled by this.
const SCALE: f64 = 0.1;

/// The sections, in order.
const SECTIONS: &[&str] = &[
    "sequential",
    "shared-state",
    "run",
    "count",
    "count-twice",
    "go",
    "no-go",
    "go-and-leave",
    "go-and-sleep",
    "no-break-without-await",
    "nop",
    "appendix-task",
    "chan",
    "rendezvous",
    "close",
    "iterate",
    "first-class",
    "fan-in",
    "fan-out",
    "rates",
    "select-get",
    "select-put",
    "stop-workers",
    "select-default",
    "buffer",
    "back-pressure",
    "dropping",
    "sliding",
    "lock",
    "semaphore",
    "select-locks",
    "timeout",
    "tick-tock",
    "map-filter-take",
    "flat-map",
    "take-drop",
    "group",
    "group-by",
    "distinct",
    "reduce-scan",
    "merge",
    "zip",
    "combine-latest",
    "distribute",
    "dup",
    "pub-sub",
    "async-pipe",
    "parallel-pipe",
    "to-iterable",
];

const LATE: &str = "It is late, let us call it a day.";

fn sections(lines: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in lines {
        if let Some(header) = line.strip_prefix("=== ") {
            let id = header.split(':').next().unwrap().to_string();
            out.push((id, Vec::new()));
        } else {
            out.last_mut()
                .expect("a line before the first section")
                .1
                .push(line.clone());
        }
    }
    out
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The lines of `lines` that start with `prefix`, with the prefix removed.
fn with_prefix<'a>(lines: &'a [String], prefix: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix))
        .collect()
}

/// Checks that `nums` is 1, 2, 3, ... (possibly empty).
fn counts_from_one(nums: &[u32], what: &str) {
    let want: Vec<u32> = (1..=nums.len() as u32).collect();
    assert_eq!(nums, want, "{what}: not 1, 2, 3, ...");
}

/// Splits `lines` at the "It is late" line.
fn before_after_late(id: &str, lines: &[String]) -> (Vec<String>, Vec<String>) {
    let i = lines
        .iter()
        .position(|l| l == LATE)
        .unwrap_or_else(|| panic!("{id}: no {LATE:?}"));
    (lines[..i].to_vec(), lines[i + 1..].to_vec())
}

/// "product i [from pJ]" lines: each producer's numbers count from 1, in order.
fn products_in_order(id: &str, got: &[String], tagged: bool) {
    let mut per_producer: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
    for line in got {
        let rest = line
            .split("product ")
            .nth(1)
            .unwrap_or_else(|| panic!("{id}: {line:?}"));
        let (n, from) = match rest.split_once(" from ") {
            Some((n, p)) => (n, p.to_string()),
            None => (rest, String::new()),
        };
        assert_eq!(tagged, !from.is_empty(), "{id}: {line:?}");
        per_producer
            .entry(from)
            .or_default()
            .push(n.parse().unwrap());
    }
    // How many products arrive before main calls it a day depends on the timers (a
    // loaded machine may deliver none), so only their order is checked.
    for (p, nums) in per_producer {
        counts_from_one(&nums, &format!("{id}, producer {p:?}"));
    }
}

/// After closing: only "goes home" lines, no repeats, and `must` among them.
fn going_home(id: &str, after: &[String], must: &[&str]) {
    let set: BTreeSet<&str> = after.iter().map(String::as_str).collect();
    assert_eq!(
        set.len(),
        after.len(),
        "{id}: someone went home twice: {after:?}"
    );
    for l in after {
        assert!(l.ends_with("goes home"), "{id}: unexpected {l:?}");
    }
    for m in must {
        assert!(set.contains(m), "{id}: missing {m:?} in {after:?}");
    }
}

/// Parses `"{prefix}[1, 2, 3]"` into its numbers.
fn number_list(id: &str, line: &str, prefix: &str) -> Vec<u64> {
    let list = line
        .strip_prefix(prefix)
        .and_then(|l| l.strip_prefix('['))
        .and_then(|l| l.strip_suffix(']'))
        .unwrap_or_else(|| panic!("{id}: {line:?} is not {prefix}[...]"));
    list.split(", ")
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().unwrap_or_else(|_| panic!("{id}: {line:?}")))
        .collect()
}

/// Parses `"(at most {n} {what} at a time)"` and checks `1 <= n <= limit`.
fn at_most(id: &str, line: &str, what: &str, limit: usize) {
    let n: usize = line
        .strip_prefix("(at most ")
        .and_then(|l| l.strip_suffix(&format!(" {what} at a time)")))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{id}: {line:?}"));
    assert!(
        (1..=limit).contains(&n),
        "{id}: {n} {what} at once, the limit is {limit}"
    );
}

/// Checks a pipe's two runs: ordered results exactly, unordered ones as a multiset, and
/// the concurrency notes after each (`extra` more exact lines follow each note).
fn pipe_runs(id: &str, lines: &[String], want: &[u64], what: &str, limit: usize, extra: &[&str]) {
    let per_run = 2 + extra.len();
    assert_eq!(lines.len(), 2 * per_run, "{id}: {lines:?}");
    for (run, name) in lines.chunks(per_run).zip(["ordered: ", "unordered: "]) {
        let mut got = number_list(id, &run[0], name);
        if name == "unordered: " {
            got.sort_unstable();
        }
        assert_eq!(got, want, "{id}: {}", run[0]);
        at_most(id, &run[1], what, limit);
        assert_eq!(run[2..], strs(extra), "{id}");
    }
}

fn check_section(id: &str, lines: &[String]) {
    let exact = |want: &[&str]| assert_eq!(lines, strs(want), "section {id}");
    match id {
        "sequential" => exact(&["33"]),
        "shared-state" => exact(&["we start with the value 10", "33"]),
        "run" => exact(&["executing silly with 2", "3"]),
        "count" => exact(&["counter: 1", "counter: 2", "counter: 3"]),
        "count-twice" => exact(&[
            "counter a: 1",
            "counter a: 2",
            "counter a: 3",
            "counter b: 1",
            "counter b: 2",
            "counter b: 3",
        ]),
        "go" => {
            // b is awaited to the end; a runs beside it and is cancelled when main
            // returns, possibly before its last line.
            let b: Vec<u32> = with_prefix(lines, "counter b: ")
                .iter()
                .map(|n| n.parse().unwrap())
                .collect();
            let a: Vec<u32> = with_prefix(lines, "counter a: ")
                .iter()
                .map(|n| n.parse().unwrap())
                .collect();
            assert_eq!(b, [1, 2, 3], "{id}");
            counts_from_one(&a, id);
            assert_eq!(a.len() + b.len(), lines.len(), "{id}: {lines:?}");
        }
        "no-go" => exact(&["counter b: 1", "counter b: 2", "counter b: 3"]),
        "go-and-leave" => exact(&[]),
        "go-and-sleep" => {
            // Both count while main sleeps twice as long as they need; each counter's
            // lines come in order (whether both finish in time is up to the timers).
            let a: Vec<u32> = with_prefix(lines, "counter a: ")
                .iter()
                .map(|n| n.parse().unwrap())
                .collect();
            let b: Vec<u32> = with_prefix(lines, "counter b: ")
                .iter()
                .map(|n| n.parse().unwrap())
                .collect();
            counts_from_one(&a, id);
            counts_from_one(&b, id);
            assert!(a.len() <= 3 && b.len() <= 3, "{id}: {lines:?}");
            assert_eq!(a.len() + b.len(), lines.len(), "{id}: {lines:?}");
        }
        "no-break-without-await" => exact(&["before", "after", "do work"]),
        "nop" => exact(&["before", "do work", "after"]),
        "appendix-task" => exact(&[
            "the result is a pending task",
            "executing silly with 2",
            "3",
        ]),
        "chan" => {
            assert_eq!(lines.len(), 1, "{id}");
            assert!(lines[0].starts_with("Chan {"), "{id}: {lines:?}");
        }
        "rendezvous" => {
            let (before, after) = before_after_late(id, lines);
            products_in_order(id, &before, false);
            assert!(after.is_empty(), "{id}: {after:?}");
        }
        "close" | "iterate" | "first-class" => {
            let (before, after) = before_after_late(id, lines);
            products_in_order(id, &before, false);
            going_home(id, &after, &["consumer goes home"]);
        }
        "fan-in" => {
            let (before, after) = before_after_late(id, lines);
            assert!(
                before.iter().all(|l| l.starts_with("obtained: ")),
                "{id}: {before:?}"
            );
            products_in_order(id, &before, true);
            going_home(id, &after, &["consumer goes home"]);
        }
        "fan-out" | "rates" => {
            let (before, after) = before_after_late(id, lines);
            for l in &before {
                let (c, _) = l
                    .split_once(" obtained: ")
                    .unwrap_or_else(|| panic!("{id}: {l:?}"));
                assert!(["c0", "c1", "c2"].contains(&c), "{id}: {l:?}");
            }
            products_in_order(id, &before, true);
            going_home(
                id,
                &after,
                &[
                    "consumer c0 goes home",
                    "consumer c1 goes home",
                    "consumer c2 goes home",
                ],
            );
        }
        "select-get" => {
            assert!(lines.len() >= 2, "{id}: {lines:?}");
            let chans = [
                ("c1", ["1", "2", "3"]),
                ("c2", ["a", "b", "c"]),
                ("c3", ["x", "y", "z"]),
            ];
            let from = lines[1]
                .strip_prefix("the result is from ")
                .expect("the result is from");
            let (_, values) = chans
                .iter()
                .find(|(c, _)| *c == from)
                .expect("a known channel");
            // Exactly one get happened: the first value of the winning channel.
            let mut want = vec![
                format!("the result is {}", values[0]),
                format!("the result is from {from}"),
            ];
            for (c, values) in chans {
                let skip = usize::from(c == from);
                want.extend(
                    values[skip..]
                        .iter()
                        .map(|v| format!("{c} still has value: {v}")),
                );
            }
            assert_eq!(lines, want, "{id}");
        }
        "select-put" => {
            let a = strs(&["select completes on c1", "received A on c1"]);
            let b = strs(&["select completes on c2", "received B on c2"]);
            assert!(lines == a || lines == b, "{id}: {lines:?}");
        }
        "stop-workers" => {
            let received: Vec<&str> = with_prefix(lines, "received ");
            for w in ["worker0-", "worker1-", "worker2-"] {
                let n: Vec<u32> = received
                    .iter()
                    .filter_map(|r| r.strip_prefix(w))
                    .map(|n| n.parse().unwrap())
                    .collect();
                counts_from_one(&n, id);
            }
            let rest = &lines[received.len()..];
            let set: BTreeSet<&str> = rest.iter().map(String::as_str).collect();
            assert_eq!(set.len(), rest.len(), "{id}: {rest:?}");
            assert!(set.contains("consumer stopped"), "{id}: {rest:?}");
            for l in rest {
                assert!(l.ends_with(" stopped"), "{id}: {l:?}");
            }
        }
        "select-default" => exact(&["giveup", "put cannot complete immediately and was given up"]),
        "buffer" => exact(&["result a"]),
        "back-pressure" => {
            let (mut produced, mut consumed) = (0, 0);
            for l in lines {
                if let Some(n) = l.strip_prefix("producing ") {
                    produced += 1;
                    assert_eq!(n.parse::<u32>().unwrap(), produced, "{id}");
                    // Three in the buffer and one in the producer's hand at most.
                    assert!(
                        produced <= consumed + 4,
                        "{id}: producer ran ahead: {lines:?}"
                    );
                } else if let Some(n) = l.strip_prefix("consuming ") {
                    consumed += 1;
                    assert_eq!(n.parse::<u32>().unwrap(), consumed, "{id}");
                } else {
                    panic!("{id}: {l:?}");
                }
            }
        }
        "dropping" => exact(&["1", "2"]),
        "sliding" => exact(&["2", "3"]),
        "lock" | "semaphore" => {
            let (note, work) = lines.split_last().expect("a note");
            let tokens = if id == "lock" { 1 } else { 2 };
            assert_eq!(
                note,
                &format!("(at most {tokens} worked at a time)"),
                "{id}"
            );
            assert!(!work.is_empty(), "{id}: nobody worked");
            let who: Vec<usize> = work
                .iter()
                .map(|l| l.strip_suffix(" is now working").unwrap().parse().unwrap())
                .collect();
            if id == "lock" {
                // Waiters take the token in the order they queued: 0, 1, 2, ... 9, 0, ...
                let want: Vec<usize> = (0..who.len()).map(|i| i % 10).collect();
                assert_eq!(who, want, "{id}");
            } else {
                // The two tokens go to workers 0 and 1 first. After that each release
                // hands its token to the worker that waits longest (a releaser cannot
                // take it back), but the order still depends on which of two workers
                // working together releases, and so queues again, first, and on which
                // of two workers handed a token at about the same time says so first.
                assert_eq!(who[..2.min(who.len())], [0, 1][..2.min(who.len())], "{id}");
            }
        }
        "select-locks" => {
            let (note, work) = lines.split_last().expect("a note");
            assert_eq!(note, "(at most 3 worked at a time)", "{id}");
            assert!(work.len() >= 3, "{id}: {work:?}");
            assert_eq!(
                work[..3],
                strs(&["worker-0 working", "worker-1 working", "worker-2 working"]),
                "{id}"
            );
            for l in work {
                assert!(
                    ["worker-0 working", "worker-1 working", "worker-2 working"]
                        .contains(&l.as_str()),
                    "{id}: {l:?}"
                );
            }
        }
        "timeout" => exact(&["waiting for a value that never comes", "timed out"]),
        "tick-tock" => exact(&["tick 1", "tick 2", "tick 3"]),
        "map-filter-take" => exact(&["[1, 9, 25, 49, 81]"]),
        "flat-map" => exact(&["[1, 2, 2, 3, 3, 3]"]),
        "take-drop" => exact(&[
            "take(2): [0, 1]",
            "drop(2): [2, 3, 4, 5]",
            "take_while(x < 3): [0, 1, 2]",
            "drop_while(x < 3): [3, 4, 5]",
        ]),
        "group" => exact(&["[0, 1, 2]", "[3, 4, 5]", "[6, 7, 8]", "[9]"]),
        "group-by" => exact(&[
            r#"a ["apple", "avocado"]"#,
            r#"b ["banana", "blueberry"]"#,
            r#"c ["cherry"]"#,
            r#"a ["apricot"]"#,
        ]),
        "distinct" => exact(&["1", "2", "1"]),
        "reduce-scan" => exact(&["reduce(+): 10", "scan(+): [1, 3, 6, 10]"]),
        "merge" => {
            // Which input goes first is up to select; each input's values keep their
            // order, and every value arrives once.
            let got: Vec<u32> = lines
                .iter()
                .map(|l| {
                    l.strip_prefix("merged ")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| panic!("{id}: {l:?}"))
                })
                .collect();
            let a: Vec<u32> = got.iter().copied().filter(|v| *v < 10).collect();
            let b: Vec<u32> = got.iter().copied().filter(|v| *v >= 10).collect();
            assert_eq!(a, [0, 1, 2], "{id}: {lines:?}");
            assert_eq!(b, [10, 11, 12], "{id}: {lines:?}");
        }
        "zip" => exact(&["[0, 10, 20]", "[1, 11, 21]", "[2, None, 22]"]),
        "combine-latest" => exact(&[
            "[1, None]",
            "[1, 10]",
            "[2, 10]",
            "[2, 20]",
            "(closed once every input was)",
        ]),
        "distribute" => {
            // Who gets what depends on the workers' speed; every value goes to exactly
            // one worker, and each worker sees its values in input order.
            let mut per_worker: [Vec<u32>; 3] = Default::default();
            for l in lines {
                let (w, v) = l
                    .strip_prefix("worker-")
                    .and_then(|l| l.split_once(" got "))
                    .unwrap_or_else(|| panic!("{id}: {l:?}"));
                let w: usize = w.parse().unwrap();
                per_worker[w].push(v.parse().unwrap());
            }
            for (w, got) in per_worker.iter().enumerate() {
                assert!(got.is_sorted(), "{id}: worker-{w} got {got:?}");
            }
            let mut all: Vec<u32> = per_worker.concat();
            all.sort_unstable();
            assert_eq!(all, (0..9).collect::<Vec<u32>>(), "{id}: {lines:?}");
        }
        "dup" => exact(&[
            r#"tap a: ["rain", "sun", "snow"]"#,
            r#"tap b: ["rain", "sun", "snow"]"#,
        ]),
        "pub-sub" => exact(&[r#"sports: ["goal", "foul"]"#, r#"weather: ["rain"]"#]),
        "async-pipe" => {
            let want: Vec<u64> = (0..8).map(|x| x * 10).collect();
            pipe_runs(id, lines, &want, "calls", 3, &[]);
        }
        "parallel-pipe" => {
            let want: Vec<u64> = (0..8).map(|x| x * x).collect();
            pipe_runs(
                id,
                lines,
                &want,
                "jobs",
                4,
                &["(0 jobs ran on the event loop's thread)"],
            );
        }
        "to-iterable" => exact(&["got 0", "got 1", "got 4", "got 9", "got 16", "total 30"]),
        other => panic!("no check for section {other:?}"),
    }
}

fn check_tour(runtime: &str) {
    let out = Out::new(false);
    tour::tour_on(runtime, &out, Time::new(SCALE)).expect("a known runtime");
    let sections = sections(&out.lines());
    let ids: Vec<&str> = sections.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, SECTIONS);
    for (id, lines) in &sections {
        check_section(id, lines);
    }
}

#[test]
fn tour_on_tokio_prints_the_tutorials_output() {
    check_tour("tokio");
}

#[test]
fn tour_on_smol_prints_the_tutorials_output() {
    check_tour("smol");
}

#[test]
fn tour_on_async_std_prints_the_tutorials_output() {
    check_tour("async-std");
}

#[test]
fn tour_rejects_an_unknown_runtime() {
    assert!(tour::tour_on("glommio", &Out::new(false), Time::new(SCALE)).is_none());
}
