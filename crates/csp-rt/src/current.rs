//! A per-thread "current" value that nests: what `run` of the smol and async-std
//! adapters uses to make its executor the one `go` spawns on.

use std::cell::RefCell;
use std::fmt;
use std::thread::LocalKey;

/// Makes `value` the current value of `key` on this thread until the returned guard is
/// dropped, which restores the previous one (so calls may nest, and a panic unwinding
/// through the guard restores it too).
///
/// # Examples
/// ```
/// use std::cell::RefCell;
/// thread_local! { static NOW: RefCell<Option<u8>> = const { RefCell::new(None) }; }
/// {
///     let _outer = csp_rt::enter(&NOW, 1);
///     {
///         let _inner = csp_rt::enter(&NOW, 2);
///         assert_eq!(csp_rt::current(&NOW), Some(2));
///     }
///     assert_eq!(csp_rt::current(&NOW), Some(1));
/// }
/// assert_eq!(csp_rt::current(&NOW), None);
/// ```
pub fn enter<T: 'static>(key: &'static LocalKey<RefCell<Option<T>>>, value: T) -> Enter<T> {
    Enter {
        key,
        prev: key.with(|c| c.replace(Some(value))),
    }
}

/// The current value of `key` on this thread (see [`enter`]).
pub fn current<T: Clone + 'static>(key: &'static LocalKey<RefCell<Option<T>>>) -> Option<T> {
    key.with(|c| c.borrow().clone())
}

/// The guard of [`enter`]: restores the previous current value when dropped.
pub struct Enter<T: 'static> {
    key: &'static LocalKey<RefCell<Option<T>>>,
    prev: Option<T>,
}

impl<T: 'static> Drop for Enter<T> {
    fn drop(&mut self) {
        let prev = self.prev.take();
        self.key.with(|c| *c.borrow_mut() = prev);
    }
}

impl<T: 'static> fmt::Debug for Enter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enter")
            .field("restores_a_value", &self.prev.is_some())
            .finish()
    }
}
