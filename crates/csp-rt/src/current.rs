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
///
/// # Examples
/// ```
/// use std::cell::RefCell;
/// thread_local! { static EXEC: RefCell<Option<&'static str>> = const { RefCell::new(None) }; }
/// assert_eq!(csp_rt::current(&EXEC), None);
/// let _guard = csp_rt::enter(&EXEC, "smol");
/// assert_eq!(csp_rt::current(&EXEC), Some("smol"));
/// // Per thread: another thread has none.
/// std::thread::spawn(|| assert_eq!(csp_rt::current(&EXEC), None)).join().unwrap();
/// ```
pub fn current<T: Clone + 'static>(key: &'static LocalKey<RefCell<Option<T>>>) -> Option<T> {
    key.with(|c| c.borrow().clone())
}

/// The guard of [`enter`]: restores the previous current value when dropped.
///
/// # Examples
/// ```
/// use std::cell::RefCell;
/// use csp_rt::{current, enter, Enter};
/// thread_local! { static NOW: RefCell<Option<u8>> = const { RefCell::new(None) }; }
///
/// let outer: Enter<u8> = enter(&NOW, 1);
/// let inner = enter(&NOW, 2);
/// assert_eq!(current(&NOW), Some(2));
/// drop(inner);
/// assert_eq!(current(&NOW), Some(1));
/// // A panic unwinding through a guard restores the previous value too.
/// let r = std::panic::catch_unwind(|| {
///     let _guard = enter(&NOW, 3);
///     panic!("boom");
/// });
/// assert!(r.is_err());
/// assert_eq!(current(&NOW), Some(1));
/// drop(outer);
/// assert_eq!(current(&NOW), None);
/// ```
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
