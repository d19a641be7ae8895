//! Draws `docs/benchmarks.svg` from `benches/out/peers.csv`: ns/msg per workload and
//! capacity, csp beside each peer, one panel per runtime, log scale.
//!
//! `cargo run --release -p csp-benches --bin chart [CSV [SVG]]`

use std::collections::BTreeMap;
use std::fmt::Write as _;

const PEERS: [(&str, &str); 7] = [
    ("csp", "#d62728"),
    ("kanal", "#1f77b4"),
    ("flume", "#2ca02c"),
    ("async-channel", "#9467bd"),
    ("tokio-mpsc", "#ff7f0e"),
    ("futures-mpsc", "#8c564b"),
    ("crossbeam", "#17becf"),
];
const RUNTIMES: [&str; 4] = ["tokio-ct", "tokio-mt2", "smol", "threads"];

struct Bar {
    peer: usize,
    ns: f64,
    lost: bool,
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let csv_path = args.first().map_or(root.join("out/peers.csv"), Into::into);
    let svg_path = args
        .get(1)
        .map_or(root.join("../docs/benchmarks.svg"), Into::into);
    let text = std::fs::read_to_string(&csv_path)
        .unwrap_or_else(|e| panic!("{}: {e} (run the peers bench first)", csv_path.display()));

    // runtime -> (workload order, cap) -> bars
    let mut order: Vec<&str> = Vec::new();
    let mut panels: BTreeMap<usize, BTreeMap<(usize, usize), Vec<Bar>>> = BTreeMap::new();
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for s in csp_benches::report::parse_csv(&text) {
        let c = s.cell;
        let (Some(rt), Some(peer)) = (
            RUNTIMES.iter().position(|r| *r == c.runtime.name()),
            PEERS.iter().position(|p| p.0 == c.peer.name()),
        ) else {
            continue;
        };
        let w = match order.iter().position(|w| *w == c.workload.name()) {
            Some(i) => i,
            None => {
                order.push(c.workload.name());
                order.len() - 1
            }
        };
        let (ns, lost) = (s.ns_per_msg, s.lost + s.duplicated > 0);
        lo = lo.min(ns);
        hi = hi.max(ns);
        panels
            .entry(rt)
            .or_default()
            .entry((w, c.cap))
            .or_default()
            .push(Bar { peer, ns, lost });
    }
    assert!(!panels.is_empty(), "no rows in {}", csv_path.display());

    let lo_exp = lo.log10().floor();
    let hi_exp = hi.log10().ceil().max(lo_exp + 1.0);
    let (bar_w, gap, left, top, plot_h, label_h) = (7.0, 12.0, 70.0, 60.0, 220.0, 90.0);
    let panel_h = plot_h + label_h + 40.0;
    let widest = panels
        .values()
        .map(|g| {
            g.values()
                .map(|b| b.len() as f64 * bar_w + gap)
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    let width = left + widest + 20.0;
    let height = top + panel_h * panels.len() as f64;
    let y_of = |ns: f64| plot_h * (1.0 - (ns.log10() - lo_exp) / (hi_exp - lo_exp));

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="20" font-size="15">ns per message (log scale, lower is better); ✕ = lost or duplicated values</text>"#
    );
    for (i, (name, color)) in PEERS.iter().enumerate() {
        let x = left + i as f64 * 110.0;
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="32" width="12" height="12" fill="{color}"/><text x="{}" y="42">{name}</text>"#,
            x + 16.0
        );
    }
    for (k, (rt, groups)) in panels.iter().enumerate() {
        let y0 = top + k as f64 * panel_h + 20.0;
        let _ = writeln!(s, r#"<g transform="translate(0,{y0})">"#);
        let _ = writeln!(
            s,
            r#"<text x="{left}" y="-6" font-size="13" font-weight="bold">{}</text>"#,
            RUNTIMES[*rt]
        );
        let mut e = lo_exp;
        while e <= hi_exp {
            let y = y_of(10f64.powf(e));
            let _ = writeln!(
                s,
                r##"<line x1="{left}" x2="{:.0}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
                width - 20.0,
                left - 4.0,
                y + 4.0,
                10f64.powf(e)
            );
            e += 1.0;
        }
        let mut x = left + gap / 2.0;
        for ((w, cap), bars) in groups {
            let gx = x;
            for b in bars {
                let y = y_of(b.ns);
                let _ = writeln!(
                    s,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{bar_w}" height="{:.1}" fill="{}"><title>{} {}/{}: {:.0} ns/msg</title></rect>"#,
                    plot_h - y,
                    PEERS[b.peer].1,
                    PEERS[b.peer].0,
                    order[*w],
                    cap,
                    b.ns
                );
                if b.lost {
                    let _ = writeln!(
                        s,
                        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="black">✕</text>"#,
                        x + bar_w / 2.0,
                        y - 2.0
                    );
                }
                x += bar_w;
            }
            let cx = (gx + x) / 2.0;
            let _ = writeln!(
                s,
                r#"<text transform="translate({cx:.1},{:.1}) rotate(-50)" text-anchor="end">{}/{}</text>"#,
                plot_h + 12.0,
                order[*w],
                cap
            );
            x += gap;
        }
        let _ = writeln!(
            s,
            r#"<line x1="{left}" x2="{left}" y1="0" y2="{plot_h}" stroke="black"/><line x1="{left}" x2="{:.0}" y1="{plot_h}" y2="{plot_h}" stroke="black"/></g>"#,
            width - 20.0
        );
    }
    s.push_str("</svg>\n");
    std::fs::write(&svg_path, s).unwrap_or_else(|e| panic!("{}: {e}", svg_path.display()));
    eprintln!("wrote {}", svg_path.display());
}
