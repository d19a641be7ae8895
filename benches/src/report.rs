//! Summaries of repeated measurements, as a markdown table and a CSV file.

use crate::{Cell, Measurement, PeerId, Runtime, Workload, CAPS};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The median of several runs of one cell.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// The cell.
    pub cell: Cell,
    /// Messages per run.
    pub messages: u64,
    /// Median nanoseconds per message.
    pub ns_per_msg: f64,
    /// Median allocations per message.
    pub allocs_per_msg: f64,
    /// Most values lost in one run.
    pub lost: u64,
    /// Most values duplicated in one run.
    pub duplicated: u64,
    /// The median of the placement probes taken before each repetition of the cell's
    /// group ([`probe::core_latency_ns`](crate::probe::core_latency_ns)), if probed.
    pub core_latency_ns: Option<f64>,
}

/// The median of `xs` (at least one value): the middle value, or the mean of the two
/// middle values of an even count.
///
/// ```
/// use csp_benches::report::median;
/// assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
/// assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
/// ```
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

impl Summary {
    /// Summarises the runs of `cell` (at least one).
    ///
    /// ```
    /// use csp_benches::{report::Summary, run_cell, Cell, PeerId, Runtime, Workload};
    /// let cell = Cell { workload: Workload::Seq, cap: 1, runtime: Runtime::Smol, peer: PeerId::Flume };
    /// let runs: Vec<_> = (0..3).map(|_| run_cell(cell, 100).unwrap()).collect();
    /// let s = Summary::of(cell, &runs);
    /// assert_eq!(s.lost, 0);
    /// assert!(s.ns_per_msg > 0.0);
    /// ```
    pub fn of(cell: Cell, runs: &[Measurement]) -> Summary {
        Summary {
            cell,
            messages: runs[0].messages,
            ns_per_msg: median(runs.iter().map(Measurement::ns_per_msg).collect()),
            allocs_per_msg: median(runs.iter().map(Measurement::allocs_per_msg).collect()),
            lost: runs.iter().map(Measurement::lost).max().unwrap_or(0),
            duplicated: runs.iter().map(Measurement::duplicated).max().unwrap_or(0),
            core_latency_ns: None,
        }
    }
}

type Row = (Workload, usize, Runtime);

fn rows(results: &[Summary]) -> BTreeMap<Row, BTreeMap<PeerId, Summary>> {
    let mut m: BTreeMap<Row, BTreeMap<PeerId, Summary>> = BTreeMap::new();
    for s in results {
        m.entry((s.cell.workload, s.cell.cap, s.cell.runtime))
            .or_default()
            .insert(s.cell.peer, *s);
    }
    m
}

fn peers_in(results: &[Summary]) -> Vec<PeerId> {
    PeerId::ALL
        .into_iter()
        .filter(|p| results.iter().any(|s| s.cell.peer == *p))
        .collect()
}

fn csp_over(row: &BTreeMap<PeerId, Summary>, s: &Summary) -> Option<f64> {
    row.get(&PeerId::Csp).map(|c| c.ns_per_msg / s.ns_per_msg)
}

fn bad(s: &Summary) -> String {
    if s.lost + s.duplicated == 0 {
        String::new()
    } else {
        format!(" ⚠{} lost", s.lost + s.duplicated)
    }
}

/// Markdown tables: ns/msg (with csp ÷ peer in brackets), then allocations per message
/// and lost values.
pub fn markdown(results: &[Summary]) -> String {
    let peers = peers_in(results);
    let rows = rows(results);
    let mut out = String::new();
    out.push_str("ns/msg (median); in brackets csp ÷ peer, below 1 means csp is faster\n\n");
    table(&mut out, &peers, &rows, |row, p, s| {
        let mut cell = format!("{:.0}", s.ns_per_msg);
        if p != PeerId::Csp {
            if let Some(r) = csp_over(row, s) {
                let _ = write!(cell, " ({r:.2})");
            }
        }
        cell
    });
    let mut notes: Vec<String> = Vec::new();
    for r in results {
        if let Some(n) = r.cell.note() {
            let line = format!("{} {n}", r.cell.peer.name());
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\nClosest equivalents: {}.", notes.join("; "));
    }
    out.push_str(
        "\nallocations per message (median), and values lost or duplicated in the worst run\n\n",
    );
    table(&mut out, &peers, &rows, |_, _, s| {
        format!("{:.3}", s.allocs_per_msg)
    });
    let unsafe_peers = not_cancel_safe(results);
    out.push_str(
        "\nAgainst the wall-clock rules (csp ≤ 1.0 × the fastest cancel-safe peer; \
         csp ≤ 1.2 × kanal where kanal lost nothing)",
    );
    if unsafe_peers.is_empty() {
        out.push_str(": every peer lost nothing, so every peer counts as cancel-safe");
    } else {
        let named: Vec<String> = unsafe_peers
            .iter()
            .map(|(p, cell)| format!("{} (lost values in {cell})", p.name()))
            .collect();
        let _ = write!(out, ". Not cancel-safe: {}", named.join(", "));
    }
    out.push_str(
        ". The last two columns read the first rule more strictly, against every peer \
         that lost nothing in the cell itself.\n\n\
         | runtime | csp fastest cancel-safe | csp ≤ 1.2 × kanal | cells that miss (csp ÷ peer) \
         | csp fastest, strictly | cells that miss only strictly |\n\
         |---|---:|---:|---|---:|---|\n",
    );
    for (rt, v) in verdict(results) {
        let kanal = if v.within_kanal_of == 0 {
            "–".to_owned()
        } else {
            format!("{} of {}", v.within_kanal, v.within_kanal_of)
        };
        let _ = writeln!(
            out,
            "| {} | {} of {} | {kanal} | {} | {} of {} | {} |",
            rt.name(),
            v.fastest,
            v.fastest_of,
            v.misses.join(", "),
            v.fastest_clean,
            v.fastest_clean_of,
            v.misses_clean.join(", ")
        );
    }
    if let Some(line) = placement(results) {
        let _ = write!(out, "\n{line}\n");
    }
    out
}

/// A sentence on where the host placed the CPUs while each group ran: the groups whose
/// median placement probe read [`FAR_NS`](crate::probe::FAR_NS) or more, or `None` if
/// no group was probed.
///
/// ```
/// use csp_benches::report::{placement, Summary};
/// use csp_benches::{Cell, PeerId, Runtime, Workload};
/// let s = |workload, cap, probe| Summary {
///     cell: Cell { workload, cap, runtime: Runtime::TokioMulti, peer: PeerId::Csp },
///     messages: 1000, ns_per_msg: 50.0, allocs_per_msg: 0.0, lost: 0, duplicated: 0,
///     core_latency_ns: probe,
/// };
/// assert_eq!(placement(&[s(Workload::Spsc, 1, None)]), None);
/// let line = placement(&[s(Workload::Spsc, 0, Some(66.0)), s(Workload::Mpsc, 1, Some(345.0))]);
/// assert_eq!(
///     line.as_deref(),
///     Some("Placement probe (a cache line's round trip between CPUs 0 and 1, median per group): \
///           far (≥ 200 ns) for mpsc4x1/1 (345 ns); near for the other 1 group (66 ns).")
/// );
/// ```
pub fn placement(results: &[Summary]) -> Option<String> {
    let mut groups: BTreeMap<(Workload, usize), f64> = BTreeMap::new();
    for r in results {
        if let Some(ns) = r.core_latency_ns {
            groups.insert((r.cell.workload, r.cell.cap), ns);
        }
    }
    if groups.is_empty() {
        return None;
    }
    let (far, near): (Vec<_>, Vec<_>) = groups
        .iter()
        .partition(|(_, ns)| **ns >= crate::probe::FAR_NS);
    let span = |v: &[(&(Workload, usize), &f64)]| {
        let lo = v.iter().map(|(_, ns)| **ns).fold(f64::INFINITY, f64::min);
        let hi = v.iter().map(|(_, ns)| **ns).fold(0.0, f64::max);
        if (hi - lo).abs() < 0.5 {
            format!("{lo:.0} ns")
        } else {
            format!("{lo:.0}–{hi:.0} ns")
        }
    };
    let mut line = String::from(
        "Placement probe (a cache line's round trip between CPUs 0 and 1, median per group): ",
    );
    if far.is_empty() {
        let _ = write!(line, "near for every group ({}).", span(&near));
    } else {
        let names: Vec<String> = far
            .iter()
            .map(|((w, cap), ns)| format!("{}/{cap} ({ns:.0} ns)", w.name()))
            .collect();
        let _ = write!(
            line,
            "far (≥ {:.0} ns) for {}",
            crate::probe::FAR_NS,
            names.join(", ")
        );
        match near.len() {
            0 => line.push('.'),
            1 => {
                let _ = write!(line, "; near for the other 1 group ({}).", span(&near));
            }
            k => {
                let _ = write!(line, "; near for the other {k} groups ({}).", span(&near));
            }
        }
    }
    Some(line)
}

/// How the cells of one runtime stand against the issue's wall-clock rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    /// Cells where csp is at least as fast as every cancel-safe peer of the cell: a
    /// peer that lost or duplicated no value anywhere in the results (see
    /// [`not_cancel_safe`]).
    pub fastest: usize,
    /// Cells with csp and at least one cancel-safe peer.
    pub fastest_of: usize,
    /// Cells where csp is at least as fast as every other peer that lost nothing in
    /// that cell: the stricter reading, which counts kanal wherever it lost nothing.
    pub fastest_clean: usize,
    /// Cells with csp and at least one other peer that lost nothing in that cell.
    pub fastest_clean_of: usize,
    /// Cells where csp takes at most 1.2 × kanal's time.
    pub within_kanal: usize,
    /// Cells with csp and a kanal that lost nothing.
    pub within_kanal_of: usize,
    /// The cells that miss one of the issue's rules: `workload/cap`, csp ÷ the fastest
    /// cancel-safe peer and its name, with `(> 1.2)` after kanal's where the kanal rule
    /// is missed.
    pub misses: Vec<String>,
    /// The cells that miss only the stricter reading: csp ÷ the fastest peer that lost
    /// nothing in the cell and its name.
    pub misses_clean: Vec<String>,
}

/// The peers (other than csp) that lost or duplicated a value somewhere in `results`,
/// each with the first such cell (`workload/cap runtime`), in [`PeerId::ALL`]'s order.
/// These are not cancel-safe: kanal's receive future, dropped by the `tokio::select!`
/// that lost the race after it was handed a value, loses that value.
///
/// ```
/// use csp_benches::report::{not_cancel_safe, Summary};
/// use csp_benches::{Cell, PeerId, Runtime, Workload};
/// let s = |workload, peer, lost| Summary {
///     cell: Cell { workload, cap: 0, runtime: Runtime::Smol, peer },
///     messages: 1000, ns_per_msg: 50.0, allocs_per_msg: 0.0, lost, duplicated: 0,
///     core_latency_ns: None,
/// };
/// let r = [s(Workload::Spsc, PeerId::Kanal, 0), s(Workload::Select2, PeerId::Kanal, 250),
///          s(Workload::Select2, PeerId::Flume, 0)];
/// assert_eq!(not_cancel_safe(&r), [(PeerId::Kanal, "select2/0 smol".to_owned())]);
/// ```
pub fn not_cancel_safe(results: &[Summary]) -> Vec<(PeerId, String)> {
    PeerId::ALL
        .into_iter()
        .filter(|p| *p != PeerId::Csp)
        .filter_map(|p| {
            results
                .iter()
                .find(|s| s.cell.peer == p && s.lost + s.duplicated > 0)
                .map(|s| {
                    let c = &s.cell;
                    (
                        p,
                        format!("{}/{} {}", c.workload.name(), c.cap, c.runtime.name()),
                    )
                })
        })
        .collect()
}

/// Counts, per runtime, the cells where csp is at least as fast as the fastest
/// cancel-safe peer (the issue's "≤ 1.0 × the fastest cancel-safe peer"; a peer that
/// lost values anywhere in `results` is not cancel-safe, see [`not_cancel_safe`]) and
/// the cells where csp takes at most 1.2 × kanal's time (where kanal loses nothing),
/// naming the cells that miss. Alongside, the stricter reading: csp at least as fast as
/// every peer that lost nothing in the cell, kanal included. A cell where csp itself
/// lost or duplicated a value counts as a miss of every rule.
///
/// ```
/// use csp_benches::report::{verdict, Summary};
/// use csp_benches::{Cell, PeerId, Runtime, Workload};
/// let s = |workload, peer, ns, lost| Summary {
///     cell: Cell { workload, cap: 0, runtime: Runtime::Smol, peer },
///     messages: 1000, ns_per_msg: ns, allocs_per_msg: 0.0, lost, duplicated: 0,
///     core_latency_ns: None,
/// };
/// // spsc: csp 110 ns, kanal 100 ns (1.1 ×, within 1.2 ×), flume 120 ns.
/// let spsc = [s(Workload::Spsc, PeerId::Csp, 110.0, 0),
///             s(Workload::Spsc, PeerId::Kanal, 100.0, 0),
///             s(Workload::Spsc, PeerId::Flume, 120.0, 0)];
/// let v = verdict(&spsc);
/// let smol = &v[&Runtime::Smol];
/// // With no cell where kanal loses values, kanal counts as cancel-safe: both readings agree.
/// assert_eq!((smol.fastest, smol.fastest_of, smol.fastest_clean), (0, 1, 0));
/// assert_eq!((smol.within_kanal, smol.within_kanal_of), (1, 1));
/// assert_eq!(smol.misses, ["spsc/0 1.10 × kanal"]);
/// // Once kanal loses values in a select, it is not cancel-safe anywhere: csp is the
/// // fastest cancel-safe peer of spsc, and misses only the stricter reading there.
/// let mut all = spsc.to_vec();
/// all.push(s(Workload::Select2, PeerId::Csp, 200.0, 0));
/// all.push(s(Workload::Select2, PeerId::Kanal, 150.0, 250));
/// all.push(s(Workload::Select2, PeerId::Flume, 300.0, 0));
/// let smol = &verdict(&all)[&Runtime::Smol];
/// assert_eq!((smol.fastest, smol.fastest_of), (2, 2));
/// assert_eq!((smol.fastest_clean, smol.fastest_clean_of), (1, 2));
/// assert!(smol.misses.is_empty());
/// assert_eq!(smol.misses_clean, ["spsc/0 1.10 × kanal"]);
/// // At 130 ns csp misses the kanal rule.
/// let v = verdict(&[s(Workload::Spsc, PeerId::Csp, 130.0, 0),
///                   s(Workload::Spsc, PeerId::Kanal, 100.0, 0)]);
/// assert_eq!(v[&Runtime::Smol].misses, ["spsc/0 1.30 × kanal (> 1.2)"]);
/// ```
pub fn verdict(results: &[Summary]) -> BTreeMap<Runtime, Verdict> {
    let clean = |s: &Summary| s.lost + s.duplicated == 0;
    let unsafe_peers: Vec<PeerId> = not_cancel_safe(results)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let mut out: BTreeMap<Runtime, Verdict> = BTreeMap::new();
    for ((w, cap, rt), row) in rows(results) {
        let Some(csp) = row.get(&PeerId::Csp) else {
            continue;
        };
        let v = out.entry(rt).or_default();
        let name = format!("{}/{cap}", w.name());
        // The fastest other peer that lost nothing here, among those `keep` admits;
        // whether csp beats it, or the miss to report.
        let against = |keep: &dyn Fn(&Summary) -> bool| {
            let best = row
                .values()
                .filter(|s| s.cell.peer != PeerId::Csp && clean(s) && keep(s))
                .min_by(|a, b| a.ns_per_msg.total_cmp(&b.ns_per_msg))?;
            Some(if clean(csp) && csp.ns_per_msg <= best.ns_per_msg {
                Ok(())
            } else {
                let r = csp.ns_per_msg / best.ns_per_msg;
                Err(format!("{name} {r:.2} × {}", best.cell.peer.name()))
            })
        };
        let mut miss = None;
        if let Some(r) = against(&|s| !unsafe_peers.contains(&s.cell.peer)) {
            v.fastest_of += 1;
            match r {
                Ok(()) => v.fastest += 1,
                Err(m) => miss = Some(m),
            }
        }
        let mut miss_clean = None;
        if let Some(r) = against(&|_| true) {
            v.fastest_clean_of += 1;
            match r {
                Ok(()) => v.fastest_clean += 1,
                Err(m) => miss_clean = Some(m),
            }
        }
        if let Some(k) = row.get(&PeerId::Kanal).filter(|k| clean(k)) {
            v.within_kanal_of += 1;
            let r = csp.ns_per_msg / k.ns_per_msg;
            if clean(csp) && r <= 1.2 {
                v.within_kanal += 1;
            } else {
                // One entry per cell: when kanal was also the fastest peer, the entry
                // above names the same ratio, so only the mark is added.
                let kanal = format!("{name} {r:.2} × kanal");
                miss = Some(match miss {
                    Some(m) if m == kanal => format!("{m} (> 1.2)"),
                    Some(m) => format!("{m}; {r:.2} × kanal (> 1.2)"),
                    None => format!("{kanal} (> 1.2)"),
                });
            }
        }
        match miss {
            Some(m) => v.misses.push(m),
            None => v.misses_clean.extend(miss_clean),
        }
    }
    out
}

/// One markdown table, a row per (workload, capacity, runtime) and a column per peer;
/// `cell` writes a peer's entry, followed by its lost/duplicated warning.
fn table(
    out: &mut String,
    peers: &[PeerId],
    rows: &BTreeMap<Row, BTreeMap<PeerId, Summary>>,
    cell: impl Fn(&BTreeMap<PeerId, Summary>, PeerId, &Summary) -> String,
) {
    out.push_str("| workload | cap | runtime |");
    for p in peers {
        let _ = write!(out, " {} |", p.name());
    }
    out.push_str("\n|---|---:|---|");
    for _ in peers {
        out.push_str("---:|");
    }
    out.push('\n');
    for ((w, cap, rt), row) in rows {
        let _ = write!(out, "| {} | {} | {} |", w.name(), cap, rt.name());
        for p in peers {
            match row.get(p) {
                None => out.push_str(" – |"),
                Some(s) => {
                    let _ = write!(out, " {}{} |", cell(row, *p, s), bad(s));
                }
            }
        }
        out.push('\n');
    }
}

/// CSV, one line per cell, with the ratio csp ÷ peer of the same row.
pub fn csv(results: &[Summary]) -> String {
    let rows = rows(results);
    let mut out = String::from(
        "workload,cap,runtime,peer,messages,ns_per_msg,allocs_per_msg,lost,duplicated,csp_over_peer,note,core_latency_ns\n",
    );
    for row in rows.values() {
        for s in row.values() {
            let c = s.cell;
            let ratio = csp_over(row, s)
                .map(|r| format!("{r:.3}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{},{},{},{},{},{:.1},{:.4},{},{},{},{},{}",
                c.workload.name(),
                c.cap,
                c.runtime.name(),
                c.peer.name(),
                s.messages,
                s.ns_per_msg,
                s.allocs_per_msg,
                s.lost,
                s.duplicated,
                ratio,
                c.note().unwrap_or(""),
                s.core_latency_ns
                    .map(|ns| format!("{ns:.0}"))
                    .unwrap_or_default()
            );
        }
    }
    out
}

/// Reads back what [`csv`] wrote: one [`Summary`] per line whose workload, runtime and
/// peer this build knows (others, and the header, are skipped).
///
/// ```
/// use csp_benches::report::{csv, parse_csv, Summary};
/// use csp_benches::{Cell, PeerId, Runtime, Workload};
/// let s = Summary {
///     cell: Cell { workload: Workload::Spsc, cap: 0, runtime: Runtime::Smol, peer: PeerId::TokioMpsc },
///     messages: 1000, ns_per_msg: 52.5, allocs_per_msg: 0.0, lost: 2, duplicated: 0,
///     core_latency_ns: Some(66.0),
/// };
/// let back = parse_csv(&csv(&[s]));
/// assert_eq!(back.len(), 1);
/// assert_eq!((back[0].cell, back[0].ns_per_msg, back[0].lost), (s.cell, 52.5, 2));
/// assert_eq!(back[0].core_latency_ns, Some(66.0));
/// ```
pub fn parse_csv(text: &str) -> Vec<Summary> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() < 9 {
                return None;
            }
            let cell = Cell {
                workload: Workload::parse(f[0])?,
                cap: f[1].parse().ok()?,
                runtime: Runtime::parse(f[2])?,
                peer: PeerId::parse(f[3])?,
            };
            Some(Summary {
                cell,
                messages: f[4].parse().ok()?,
                ns_per_msg: f[5].parse().ok()?,
                allocs_per_msg: f[6].parse().ok()?,
                lost: f[7].parse().ok()?,
                duplicated: f[8].parse().ok()?,
                // The last column (a note before it may hold commas of its own).
                core_latency_ns: f
                    .last()
                    .and_then(|x| x.parse().ok())
                    .filter(|_| f.len() > 11),
            })
        })
        .collect()
}

/// Every applicable cell, grouped by (workload, capacity) in table order.
pub fn groups() -> Vec<Vec<Cell>> {
    let mut gs = Vec::new();
    for workload in Workload::ALL {
        for cap in CAPS {
            let mut g = Vec::new();
            for runtime in Runtime::ALL {
                for peer in PeerId::ALL {
                    let cell = Cell {
                        workload,
                        cap,
                        runtime,
                        peer,
                    };
                    if cell.applies() {
                        g.push(cell);
                    }
                }
            }
            gs.push(g);
        }
    }
    gs
}
