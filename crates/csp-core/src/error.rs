//! Error types: one per operation family. Every error that concerns a put gives the
//! value back.

use core::fmt;

/// A put failed because the channel is closed; the value is returned unharmed.
///
/// Returned by [`Chan::put`](crate::Chan::put) (and put arms of a select) when the
/// channel was closed before the put was queued.
///
/// # Examples
/// ```
/// # use csp_core::{Chan, Closed};
/// # let fut = async {
/// let ch: Chan<String> = Chan::new();
/// ch.close();
/// let Err(Closed(v)) = ch.put("kept".to_string()).await else { unreachable!() };
/// assert_eq!(v, "kept");
/// # };
/// # csp_core::block_on(fut);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> Closed<T> {
    /// The value that was not delivered.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// let ch: Chan<String> = Chan::new();
    /// ch.close();
    /// let err = csp_core::block_on(ch.put("kept".to_string())).unwrap_err();
    /// assert_eq!(err.into_inner(), "kept");
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Closed(..)")
    }
}

impl<T> fmt::Display for Closed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("put on a closed channel")
    }
}

impl<T> core::error::Error for Closed<T> {}

/// Why [`Chan::try_put`](crate::Chan::try_put) did not deliver; the value comes back.
///
/// # Examples
/// ```
/// use csp_core::{Chan, TryPutError};
/// let ch: Chan<String> = Chan::new(); // rendezvous, nobody waiting
/// let err = ch.try_put("hi".to_string()).unwrap_err();
/// assert!(err.is_full());
/// assert_eq!(err.into_inner(), "hi");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TryPutError<T> {
    /// The put would have to wait: the buffer is full, or (rendezvous) no getter waits,
    /// or a hand-over to a getter is still in flight.
    Full(T),
    /// The channel is closed.
    Closed(T),
}

impl<T> TryPutError<T> {
    /// The value that was not delivered, whatever the reason.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// let ch: Chan<String> = Chan::new();
    /// let full = ch.try_put("a".to_string()).unwrap_err(); // nobody waits to take it
    /// assert_eq!(full.into_inner(), "a");
    /// ch.close();
    /// let closed = ch.try_put("b".to_string()).unwrap_err();
    /// assert_eq!(closed.into_inner(), "b");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TryPutError::Full(v) | TryPutError::Closed(v) => v,
        }
    }

    /// Whether the put failed for want of room.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// use csp_core::buffer::Fixed;
    /// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    /// ch.try_put(1).unwrap();
    /// let err = ch.try_put(2).unwrap_err();
    /// assert!(err.is_full() && !err.is_closed());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, TryPutError::Full(_))
    }

    /// Whether the put failed because the channel is closed.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// use csp_core::buffer::Fixed;
    /// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    /// ch.close();
    /// let err = ch.try_put(1).unwrap_err(); // there is room, but the channel is closed
    /// assert!(err.is_closed() && !err.is_full());
    /// ```
    pub fn is_closed(&self) -> bool {
        matches!(self, TryPutError::Closed(_))
    }
}

impl<T> From<Closed<T>> for TryPutError<T> {
    fn from(c: Closed<T>) -> Self {
        TryPutError::Closed(c.0)
    }
}

impl<T> fmt::Debug for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("Full(..)"),
            TryPutError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("channel full: the put would wait"),
            TryPutError::Closed(_) => f.write_str("put on a closed channel"),
        }
    }
}

impl<T> core::error::Error for TryPutError<T> {}

/// Why [`Chan::try_get`](crate::Chan::try_get) returned no value.
///
/// # Examples
/// ```
/// use csp_core::{Chan, TryGetError};
/// let ch: Chan<u8> = Chan::new();
/// assert_eq!(ch.try_get(), Err(TryGetError::Empty));
/// ch.close();
/// assert_eq!(ch.try_get(), Err(TryGetError::Closed));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TryGetError {
    /// Nothing to take right now; the channel is open (or closed with values still in
    /// flight).
    Empty,
    /// The channel is closed and drained: no value will ever come.
    Closed,
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryGetError::Empty => f.write_str("channel empty"),
            TryGetError::Closed => f.write_str("channel closed and drained"),
        }
    }
}

impl core::error::Error for TryGetError {}
