//! The promise buffer: the first value is kept for ever.

use super::Buffer;

/// Keeps the first value put; every get returns a clone of it and puts never wait
/// (later values are discarded). aiochan's `'p'` buffer.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_core::buffer::Promise;
///
/// let ch: Chan<&str, Promise<&str>> = Chan::with_buffer(Promise::new());
/// ch.try_put("first").unwrap();
/// ch.try_put("second").unwrap(); // discarded
/// assert_eq!(ch.try_get(), Ok("first"));
/// assert_eq!(ch.try_get(), Ok("first"));
/// ```
pub struct Promise<T> {
    value: Option<T>,
}

impl<T> Promise<T> {
    /// An empty promise.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// use csp_core::buffer::Promise;
    /// static READY: Chan<u8, Promise<u8>> = Chan::with_buffer(Promise::new());
    /// assert!(READY.try_get().is_err()); // nothing promised yet
    /// READY.try_put(7).unwrap();
    /// assert_eq!(READY.try_get(), Ok(7));
    /// ```
    pub const fn new() -> Self {
        Promise { value: None }
    }
}

impl<T> Default for Promise<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> core::fmt::Debug for Promise<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Promise")
            .field("fulfilled", &self.value.is_some())
            .finish()
    }
}

impl<T: Clone> Buffer<T> for Promise<T> {
    #[inline]
    fn can_add(&self) -> bool {
        true
    }
    #[inline]
    fn add(&mut self, value: T) -> Option<T> {
        if self.value.is_some() {
            Some(value)
        } else {
            self.value = Some(value);
            None
        }
    }
    #[inline]
    fn can_take(&self) -> bool {
        self.value.is_some()
    }
    #[inline]
    fn take(&mut self) -> Option<T> {
        self.value.clone()
    }
    #[inline]
    fn len(&self) -> usize {
        usize::from(self.value.is_some())
    }
    #[inline]
    fn capacity(&self) -> usize {
        1
    }
}
