//! [`Mix`]: several inputs into one output, with per-input mute / pause / solo that can
//! change while it runs (core.async's `mix`). Needs `alloc`.
//!
//! # Implementation details
//! As for [`Dup`](crate::Dup), a handle and the driver share a registry under a lock
//! and a signal channel (sliding buffer of one) that gets `()` on every change. Each
//! round the driver works out which inputs to read, builds one select over their gets
//! plus a get on the signal, and runs it: a value is forwarded or dropped (muted); a
//! closed input is removed; a signal restarts the round with the new settings.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::pin::Pin;

use csp_core::buffer::{Buffer, Sliding};
use csp_core::lock::RawLock;
use csp_core::{pin_index, select_slice, Arm, Chan, Closed};

use crate::options::{put_or_stop, CloseGuard, Options};
use crate::sync::{Inlet, Locked, Mapped};

/// How one input of a [`Mix`] takes part.
///
/// - `mute`: its values are still taken, but dropped;
/// - `pause`: its values are not taken (they wait in the input);
/// - `solo`: when any input is soloed, only the soloed inputs reach the output, and
///   the others are muted or paused according to the mix's [`SoloMode`]. The `mute` and
///   `pause` flags of a soloed input are ignored.
///
/// # Examples
/// ```
/// let m = csp_ops::Mode { mute: true, ..Default::default() };
/// assert!(!m.solo && !m.pause);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mode {
    /// Only soloed inputs are heard.
    pub solo: bool,
    /// Taken and dropped.
    pub mute: bool,
    /// Not taken.
    pub pause: bool,
}

/// What happens to the inputs that are not soloed while some input is.
///
/// # Examples
/// ```
/// assert_eq!(csp_ops::SoloMode::default(), csp_ops::SoloMode::Mute);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SoloMode {
    /// Their values are taken and dropped (core.async's default).
    #[default]
    Mute,
    /// Their values are left in them.
    Pause,
}

/// One input of the mix.
struct Entry<T> {
    input: Arc<dyn Inlet<T>>,
    mode: Mode,
}

/// The mix's settings.
struct State<T> {
    inputs: Vec<Entry<T>>,
    solo_mode: SoloMode,
    closed: bool,
}

/// What the handle and the driver share.
struct Shared<T> {
    state: Locked<State<T>>,
    /// Gets `()` on every change to `state`.
    signal: Chan<(), Sliding<(), 1>>,
}

impl<T> Shared<T> {
    fn change<R>(&self, f: impl FnOnce(&mut State<T>) -> R) -> R {
        let r = self.state.with(f);
        let _ = self.signal.try_put(());
        r
    }
}

/// What one round of the driver selects on.
enum Event<T> {
    /// Input `i` (in the round's list) gave this.
    Value(usize, Option<T>),
    /// The settings changed.
    Changed,
}

/// Combines several inputs into one output, with per-input [`Mode`] (mute, pause,
/// solo) that can change while it runs (core.async's `mix`).
///
/// The handle is cheap to clone; [`run`](Mix::run) is the driver. Inputs are added with
/// [`admix`](Mix::admix) and removed with [`unmix`](Mix::unmix), or when they are closed
/// and drained. The mix runs until [`close`](Mix::close) is called (having no inputs
/// does not end it) or its output is closed.
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::Chan;
/// use csp_ops::{Mix, Mode, Options};
///
/// # csp_core::block_on(async {
/// let (a, b) = (Arc::new(Chan::fixed(4)), Arc::new(Chan::fixed(4)));
/// let out = Chan::fixed(8);
/// for v in ["a1", "a2"] { a.try_put(v).unwrap(); }
/// b.try_put("b1").unwrap();
/// let mix = Mix::new();
/// mix.admix(Arc::clone(&a));
/// mix.admix(Arc::clone(&b));
/// mix.toggle(&*b, Mode { mute: true, ..Mode::default() }); // b1 is taken and dropped
/// let driver = mix.run(&out, Options::new());
/// let check = async {
///     assert_eq!(out.get().await, Some("a1"));
///     assert_eq!(out.get().await, Some("a2"));
///     mix.close();
///     assert_eq!(out.get().await, None); // the driver closed its output
/// };
/// futures_lite::future::zip(driver, check).await.0.unwrap();
/// # });
/// ```
pub struct Mix<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Clone for Mix<T> {
    fn clone(&self) -> Self {
        Mix {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for Mix<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, solo_mode, closed) = self
            .shared
            .state
            .with(|s| (s.inputs.len(), s.solo_mode, s.closed));
        f.debug_struct("Mix")
            .field("inputs", &n)
            .field("solo_mode", &solo_mode)
            .field("closed", &closed)
            .finish()
    }
}

impl<T: Send + 'static> Default for Mix<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> Mix<T> {
    /// A mix with no inputs.
    ///
    /// # Examples
    /// ```
    /// let mix = csp_ops::Mix::<u32>::new();
    /// # let _ = mix;
    /// ```
    pub fn new() -> Self {
        Mix {
            shared: Arc::new(Shared {
                state: Locked::new(State {
                    inputs: Vec::new(),
                    solo_mode: SoloMode::Mute,
                    closed: false,
                }),
                signal: Chan::with_buffer(Sliding::new()),
            }),
        }
    }

    /// Adds an input, heard normally ([`Mode::default`]). Adding it again does nothing.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let mix = csp_ops::Mix::new();
    /// mix.admix(Arc::new(csp_core::Chan::<u32>::new()));
    /// ```
    pub fn admix<B, L>(&self, input: Arc<Chan<T, B, L>>)
    where
        B: Buffer<T> + Send + 'static,
        L: RawLock + Send + Sync + 'static,
    {
        let addr = Arc::as_ptr(&input) as *const ();
        self.shared.change(|s| {
            if !s.inputs.iter().any(|e| e.input.addr() == addr) {
                s.inputs.push(Entry {
                    input,
                    mode: Mode::default(),
                });
            }
        });
    }

    /// Removes an input (its values stay in it). Returns whether it was in the mix.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let mix = csp_ops::Mix::new();
    /// let a = Arc::new(csp_core::Chan::<u32>::new());
    /// mix.admix(Arc::clone(&a));
    /// assert!(mix.unmix(&a));
    /// ```
    pub fn unmix<B, L>(&self, input: &Chan<T, B, L>) -> bool
    where
        B: Buffer<T>,
        L: RawLock,
    {
        let addr = input as *const Chan<T, B, L> as *const ();
        self.shared.change(|s| {
            let before = s.inputs.len();
            s.inputs.retain(|e| e.input.addr() != addr);
            s.inputs.len() != before
        })
    }

    /// Removes every input.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let mix = csp_ops::Mix::new();
    /// mix.admix(Arc::new(csp_core::Chan::<u32>::new()));
    /// mix.unmix_all();
    /// assert!(format!("{mix:?}").contains("inputs: 0"));
    /// ```
    pub fn unmix_all(&self) {
        self.shared.change(|s| s.inputs.clear());
    }

    /// Sets the [`Mode`] of an input, taking effect at once. Returns whether it is in
    /// the mix.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use csp_ops::{Mix, Mode};
    /// let mix = Mix::new();
    /// let a = Arc::new(csp_core::Chan::<u32>::new());
    /// mix.admix(Arc::clone(&a));
    /// assert!(mix.toggle(&a, Mode { pause: true, ..Mode::default() }));
    /// ```
    pub fn toggle<B, L>(&self, input: &Chan<T, B, L>, mode: Mode) -> bool
    where
        B: Buffer<T>,
        L: RawLock,
    {
        let addr = input as *const Chan<T, B, L> as *const ();
        self.shared.change(
            |s| match s.inputs.iter_mut().find(|e| e.input.addr() == addr) {
                Some(e) => {
                    e.mode = mode;
                    true
                }
                None => false,
            },
        )
    }

    /// Sets what happens to inputs that are not soloed while some input is.
    ///
    /// # Examples
    /// ```
    /// let mix = csp_ops::Mix::<u32>::new();
    /// mix.solo_mode(csp_ops::SoloMode::Pause);
    /// ```
    pub fn solo_mode(&self, mode: SoloMode) {
        self.shared.change(|s| s.solo_mode = mode);
    }

    /// Stops the driver (which then closes its output, unless told not to). Inputs are
    /// left as they are.
    ///
    /// # Examples
    /// ```
    /// let mix = csp_ops::Mix::<u32>::new();
    /// let out: csp_core::Chan<u32> = csp_core::Chan::new();
    /// mix.close();
    /// csp_core::block_on(mix.run(&out, csp_ops::Options::new())).unwrap();
    /// assert!(out.is_closed());
    /// ```
    pub fn close(&self) {
        self.shared.change(|s| s.closed = true);
    }

    /// The driver: forwards the values of the inputs that are heard into `output`
    /// until [`close`](Mix::close) is called (`Ok`) or `output` is closed (`Err` with
    /// the value in hand).
    ///
    /// # Examples
    /// A paused input is not read; a consumer that leaves ends the driver with an
    /// error:
    /// ```
    /// use std::sync::Arc;
    /// use csp_core::{Chan, Closed};
    /// use csp_ops::{Mix, Mode, Options};
    ///
    /// # csp_core::block_on(async {
    /// let (a, b) = (Arc::new(Chan::fixed(4)), Arc::new(Chan::fixed(4)));
    /// for v in ["a1", "a2"] { a.try_put(v).unwrap(); }
    /// b.try_put("b1").unwrap();
    /// let out = Chan::new(); // rendezvous
    /// let mix = Mix::new();
    /// mix.admix(Arc::clone(&a));
    /// mix.admix(Arc::clone(&b));
    /// mix.toggle(&*b, Mode { pause: true, ..Mode::default() });
    /// let consumer = async {
    ///     assert_eq!(out.get().await, Some("a1"));
    ///     out.close();
    /// };
    /// let (result, ()) = futures_lite::future::zip(mix.run(&out, Options::new()), consumer).await;
    /// assert_eq!(result, Err(Closed("a2"))); // the value it could not deliver
    /// assert_eq!(b.try_get(), Ok("b1")); // paused: left in its input
    /// # });
    /// ```
    pub async fn run<B, L>(&self, output: &Chan<T, B, L>, opts: Options) -> Result<(), Closed<T>>
    where
        B: Buffer<T>,
        L: RawLock,
    {
        let _guard = CloseGuard::new(output, opts);
        let shared = &*self.shared;
        loop {
            // The inputs to read this round, and whether each is heard.
            let Some(round) = shared.state.with(|s| {
                if s.closed {
                    return None;
                }
                let soloing = s.inputs.iter().any(|e| e.mode.solo);
                let round: Vec<(Arc<dyn Inlet<T>>, bool)> = s
                    .inputs
                    .iter()
                    .filter_map(|e| {
                        let (read, heard) = if soloing {
                            if e.mode.solo {
                                (true, true)
                            } else {
                                (s.solo_mode == SoloMode::Mute, false)
                            }
                        } else {
                            (!e.mode.pause, !e.mode.mute)
                        };
                        read.then(|| (Arc::clone(&e.input), heard))
                    })
                    .collect();
                Some(round)
            }) else {
                return Ok(());
            };
            type Slot<'a, T> = Pin<Box<dyn Arm<Output = Event<T>> + Send + 'a>>;
            let mut arms: Vec<Slot<'_, T>> = Vec::with_capacity(round.len() + 1);
            arms.push(Box::pin(Mapped {
                arm: Box::pin(shared.signal.get()),
                f: |_: Option<()>| Event::Changed,
            }));
            for (i, (input, _)) in round.iter().enumerate() {
                arms.push(Box::pin(Mapped {
                    arm: input.get_arm(),
                    f: move |v: Option<T>| Event::Value(i, v),
                }));
            }
            let mut arms = Pin::new(&mut arms[..]);
            // Unbiased: no input is favoured (a change is seen within a round anyway).
            let k = select_slice(arms.as_mut(), false).await;
            let event = pin_index(arms.as_mut(), k).take_output();
            match event {
                Event::Changed => {}
                Event::Value(i, Some(v)) => {
                    if round[i].1 {
                        put_or_stop(output, v).await?;
                    }
                }
                Event::Value(i, None) => {
                    let addr = round[i].0.addr();
                    shared.change(|s| s.inputs.retain(|e| e.input.addr() != addr));
                }
            }
        }
    }
}
