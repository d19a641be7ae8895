//! Side-by-side benchmarks of csp against the channel crates people would otherwise
//! use: kanal, flume, async-channel, tokio's and futures' mpsc, and crossbeam-channel
//! for plain threads. See `docs/benchmarks.md` for how to run them and the results.
//!
//! A *cell* is one (workload, capacity, runtime, peer). [`run_cell`] runs it once and
//! returns a [`Measurement`]: elapsed time, allocations, and the tallies of what was
//! sent and what was received, so every cell checks that nothing was lost or duplicated.
//!
//! ```
//! use csp_benches::{run_cell, Cell, PeerId, Runtime, Workload};
//! let cell = Cell { workload: Workload::Spsc, cap: 1, runtime: Runtime::TokioCurrent, peer: PeerId::Csp };
//! let m = run_cell(cell, 1000).expect("csp runs every cell");
//! assert_eq!((m.lost(), m.duplicated()), (0, 0));
//! ```

pub mod alloc;
pub mod peer;
pub mod probe;
pub mod report;
mod rt;
mod work;

pub use rt::{Join, Spawner};

use std::fmt;
use std::time::Duration;

/// How many values, and their wrapping sum: a checksum of a multiset of messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Number of values.
    pub count: u64,
    /// Wrapping sum of the values.
    pub sum: u64,
}

impl Tally {
    /// Counts `v`.
    #[inline]
    pub fn add(&mut self, v: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(v);
    }

    /// Counts `Some(v)`; on `None` clears `open`.
    #[inline]
    pub fn take(&mut self, v: Option<u64>, open: &mut bool) {
        match v {
            Some(v) => self.add(v),
            None => *open = false,
        }
    }

    /// Both tallies together.
    pub fn merge(self, o: Tally) -> Tally {
        Tally {
            count: self.count + o.count,
            sum: self.sum.wrapping_add(o.sum),
        }
    }
}

/// The message patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// One task puts `cap` values, then gets them, over and over.
    Seq,
    /// One producer, one consumer.
    Spsc,
    /// 4 producers, 1 consumer.
    Mpsc,
    /// 4 producers, 4 consumers.
    Mpmc,
    /// 64 producers, 64 consumers.
    Contended,
    /// Round trips over two channels; one "message" is a round trip.
    PingPong,
    /// One consumer selects over 2 channels, each with its own producer.
    Select2,
    /// One consumer selects over 4 channels, each with its own producer.
    Select4,
    /// 4 tasks each select-put over 4 channels while 4 tasks select-get from them.
    SelectBoth,
    /// A consumer selects between a data channel and an always-busy tick channel, so
    /// about half of its data receives lose their race and are cancelled.
    SelectCancel,
}

impl Workload {
    /// All workloads, in table order.
    pub const ALL: [Workload; 10] = [
        Workload::Seq,
        Workload::Spsc,
        Workload::Mpsc,
        Workload::Mpmc,
        Workload::Contended,
        Workload::PingPong,
        Workload::Select2,
        Workload::Select4,
        Workload::SelectBoth,
        Workload::SelectCancel,
    ];

    /// The short name used in tables and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Seq => "seq",
            Workload::Spsc => "spsc",
            Workload::Mpsc => "mpsc4x1",
            Workload::Mpmc => "mpmc4x4",
            Workload::Contended => "mpmc64x64",
            Workload::PingPong => "pingpong",
            Workload::Select2 => "select2",
            Workload::Select4 => "select4",
            Workload::SelectBoth => "select_both",
            Workload::SelectCancel => "select_cancel",
        }
    }

    /// Parses [`Workload::name`].
    pub fn parse(s: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == s)
    }

    /// Messages per cell for a base count `n` (ping-pong does a fifth as many round trips).
    pub fn messages(self, n: u64) -> u64 {
        match self {
            Workload::PingPong => (n / 5).max(1),
            _ => n,
        }
    }
}

/// Where the tasks (or threads) run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Runtime {
    /// tokio, current-thread runtime.
    TokioCurrent,
    /// tokio, multi-thread runtime with 2 workers.
    TokioMulti,
    /// smol: one `smol::Executor` driven by `smol::block_on` on one thread.
    Smol,
    /// Plain threads, blocking operations.
    Threads,
}

impl Runtime {
    /// All runtimes, in table order.
    pub const ALL: [Runtime; 4] = [
        Runtime::TokioCurrent,
        Runtime::TokioMulti,
        Runtime::Smol,
        Runtime::Threads,
    ];

    /// The short name used in tables and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::TokioCurrent => "tokio-ct",
            Runtime::TokioMulti => "tokio-mt2",
            Runtime::Smol => "smol",
            Runtime::Threads => "threads",
        }
    }

    /// Parses [`Runtime::name`].
    pub fn parse(s: &str) -> Option<Runtime> {
        Runtime::ALL.into_iter().find(|r| r.name() == s)
    }
}

/// The crates compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeerId {
    /// This project.
    Csp,
    /// kanal.
    Kanal,
    /// flume.
    Flume,
    /// async-channel.
    AsyncChannel,
    /// tokio::sync::mpsc.
    TokioMpsc,
    /// futures::channel::mpsc.
    FuturesMpsc,
    /// crossbeam-channel (plain threads only).
    Crossbeam,
}

impl PeerId {
    /// All peers, csp first.
    pub const ALL: [PeerId; 7] = [
        PeerId::Csp,
        PeerId::Kanal,
        PeerId::Flume,
        PeerId::AsyncChannel,
        PeerId::TokioMpsc,
        PeerId::FuturesMpsc,
        PeerId::Crossbeam,
    ];

    /// The short name used in tables and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PeerId::Csp => "csp",
            PeerId::Kanal => "kanal",
            PeerId::Flume => "flume",
            PeerId::AsyncChannel => "async-channel",
            PeerId::TokioMpsc => "tokio-mpsc",
            PeerId::FuturesMpsc => "futures-mpsc",
            PeerId::Crossbeam => "crossbeam",
        }
    }

    /// Parses [`PeerId::name`].
    pub fn parse(s: &str) -> Option<PeerId> {
        PeerId::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// The capacities measured: rendezvous, one slot, and a large buffer.
pub const CAPS: [usize; 3] = [0, 1, 1024];

/// One benchmark cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    /// The message pattern.
    pub workload: Workload,
    /// Channel capacity (0: rendezvous).
    pub cap: usize,
    /// Where it runs.
    pub runtime: Runtime,
    /// Which crate.
    pub peer: PeerId,
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cap={} {} {}",
            self.workload.name(),
            self.cap,
            self.runtime.name(),
            self.peer.name()
        )
    }
}

impl Cell {
    /// Whether this cell exists (the crate supports the pattern on this runtime).
    pub fn applies(self) -> bool {
        if cfg!(not(feature = "peers"))
            && (self.peer != PeerId::Csp || self.runtime == Runtime::Smol)
        {
            return false;
        }
        let threads = self.runtime == Runtime::Threads;
        let sync_peer = matches!(self.peer, PeerId::Csp | PeerId::Crossbeam);
        let async_peer = self.peer != PeerId::Crossbeam;
        if (threads && !sync_peer) || (!threads && !async_peer) {
            return false;
        }
        match self.workload {
            Workload::Seq => self.cap > 0,
            Workload::Mpmc | Workload::Contended => {
                !matches!(self.peer, PeerId::TokioMpsc | PeerId::FuturesMpsc)
            }
            Workload::SelectBoth => sync_peer,
            _ => true,
        }
    }

    /// A note when the crate cannot do this capacity exactly.
    pub fn note(self) -> Option<&'static str> {
        match (self.peer, self.cap) {
            (PeerId::AsyncChannel | PeerId::TokioMpsc, 0) => {
                Some("(no rendezvous) runs cap 0 as cap 1")
            }
            (PeerId::FuturesMpsc, _) => Some("has cap + 1 slot per sender"),
            _ => None,
        }
    }
}

/// The result of running one cell once.
#[derive(Clone, Copy, Debug)]
pub struct Measurement {
    /// Messages (round trips for ping-pong) the cell was asked to move.
    pub messages: u64,
    /// Wall-clock time, from before the channels are made until every task is joined.
    pub elapsed: Duration,
    /// Allocations in the same span.
    pub allocs: u64,
    /// What the senders were told was delivered.
    pub sent: Tally,
    /// What the receivers got.
    pub got: Tally,
}

impl Measurement {
    /// Nanoseconds per message.
    pub fn ns_per_msg(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / self.messages as f64
    }

    /// Allocations per message.
    pub fn allocs_per_msg(&self) -> f64 {
        self.allocs as f64 / self.messages as f64
    }

    /// Values reported sent but never received (at least 1 if the checksums differ).
    pub fn lost(&self) -> u64 {
        let d = self.sent.count.saturating_sub(self.got.count);
        if d == 0 && self.sent.count == self.got.count && self.sent.sum != self.got.sum {
            1
        } else {
            d
        }
    }

    /// Values received more often than sent (at least 1 if the checksums differ).
    pub fn duplicated(&self) -> u64 {
        let d = self.got.count.saturating_sub(self.sent.count);
        if d == 0 && self.sent.count == self.got.count && self.sent.sum != self.got.sum {
            1
        } else {
            d
        }
    }
}

/// Runs `cell` once with `n` as the base message count ([`Workload::messages`]);
/// `None` if the cell does not apply.
pub fn run_cell(cell: Cell, n: u64) -> Option<Measurement> {
    if !cell.applies() {
        return None;
    }
    let msgs = cell.workload.messages(n);
    if cell.runtime == Runtime::Threads {
        return Some(match (cell.peer, cell.cap) {
            #[cfg(feature = "peers")]
            (PeerId::Crossbeam, _) => work::run_sync::<peer::Crossbeam>(cell, msgs),
            (_, 0) => work::run_sync::<peer::Csp0>(cell, msgs),
            _ => work::run_sync::<peer::CspN>(cell, msgs),
        });
    }
    Some(match (cell.peer, cell.cap) {
        (PeerId::Csp, 0) => work::run_async::<peer::Csp0>(cell, msgs),
        (PeerId::Csp, _) => work::run_async::<peer::CspN>(cell, msgs),
        #[cfg(feature = "peers")]
        (PeerId::Kanal, _) => work::run_async::<peer::Kanal>(cell, msgs),
        #[cfg(feature = "peers")]
        (PeerId::Flume, _) => work::run_async::<peer::Flume>(cell, msgs),
        #[cfg(feature = "peers")]
        (PeerId::AsyncChannel, _) => work::run_async::<peer::AsyncChannel>(cell, msgs),
        #[cfg(feature = "peers")]
        (PeerId::TokioMpsc, _) => work::run_async::<peer::TokioMpsc>(cell, msgs),
        #[cfg(feature = "peers")]
        (PeerId::FuturesMpsc, _) => work::run_async::<peer::FuturesMpsc>(cell, msgs),
        _ => return None,
    })
}
