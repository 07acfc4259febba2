//! How a handler reaches the logical unit it controls: [`Shared<T>`], implemented for
//! `Arc<Mutex<T>>` (what a library shares its drives as) and for `Arc<Mutex<InProcess<T>>>`
//! (a logical unit behind the in-process transport). The lock is held only for the one
//! command, so vtlcmd's commands are serialized with the SCSI commands of that unit.

use std::sync::{Arc, Mutex, PoisonError};

use vtl_scsi::{InProcess, LogicalUnit};

/// Exclusive access to a `T` shared with the daemon's other threads.
pub trait Shared<T>: Send {
    /// Run `f` with the unit locked. A poisoned lock (a thread panicked holding it) is taken
    /// over: the operator may still want `status` or `exit`.
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R;
}

impl<T: Send> Shared<T> for Arc<Mutex<T>> {
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut g = self.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut g)
    }
}

impl<T: LogicalUnit + Send> Shared<T> for Arc<Mutex<InProcess<T>>> {
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut g = self.lock().unwrap_or_else(PoisonError::into_inner);
        f(g.lu())
    }
}
