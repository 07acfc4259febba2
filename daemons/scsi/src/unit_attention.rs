//! Unit attention conditions, queued per I_T nexus (SPC-5 5.13, SAM-5 5.14).
//!
//! Each nexus has a [`UaQueue`]. A power on / reset condition (ASC 0x29) is reported
//! before any other and a new one replaces everything queued before it (a reset makes the
//! older conditions moot); other conditions are reported in the order they were
//! established, one per command, each only once (duplicates are merged).

use std::collections::VecDeque;

use crate::sense::{Asc, Sense, SenseKey};

/// Most conditions kept per nexus; further distinct conditions are dropped (the oldest
/// pending ones still tell the initiator to re-read the state).
pub const MAX_PENDING: usize = 32;

/// The unit attention conditions pending for one I_T nexus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UaQueue {
    pending: VecDeque<Asc>,
}

impl UaQueue {
    /// A queue holding the power on / reset condition (29/00), as every nexus has before
    /// its first command.
    pub fn power_on() -> UaQueue {
        let mut q = UaQueue::default();
        q.push(Asc::POWER_ON_RESET_OR_BUS_DEVICE_RESET);
        q
    }

    /// Establish condition `asc`. An ASC 0x29 (power on, reset, nexus loss) condition
    /// clears everything pending and goes first; others go to the back unless already
    /// pending.
    pub fn push(&mut self, asc: Asc) {
        if asc.0 == 0x29 {
            self.pending.clear();
            self.pending.push_back(asc);
            return;
        }
        if self.pending.contains(&asc) || self.pending.len() >= MAX_PENDING {
            return;
        }
        self.pending.push_back(asc);
    }

    /// The condition to report next, if any.
    pub fn peek(&self) -> Option<Asc> {
        self.pending.front().copied()
    }

    /// Take the condition to report next (it is cleared: reported once).
    pub fn pop(&mut self) -> Option<Asc> {
        self.pending.pop_front()
    }

    /// Take the next condition as UNIT ATTENTION sense data.
    pub fn pop_sense(&mut self) -> Option<Sense> {
        self.pop().map(|a| Sense::new(SenseKey::UnitAttention, a))
    }

    /// Number of pending conditions.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Drop all pending conditions.
    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_first_and_supersedes() {
        let mut q = UaQueue::default();
        q.push(Asc::MODE_PARAMETERS_CHANGED);
        q.push(Asc::NOT_READY_TO_READY_CHANGE);
        q.push(Asc::MODE_PARAMETERS_CHANGED);
        assert_eq!(q.len(), 2);
        assert_eq!(q.peek(), Some(Asc::MODE_PARAMETERS_CHANGED));
        q.push(Asc::POWER_ON_RESET_OR_BUS_DEVICE_RESET);
        q.push(Asc::NOT_READY_TO_READY_CHANGE);
        assert_eq!(q.pop(), Some(Asc::POWER_ON_RESET_OR_BUS_DEVICE_RESET));
        let s = q.pop_sense().unwrap();
        assert_eq!((s.key, s.asc), (SenseKey::UnitAttention, Asc(0x28, 0)));
        assert!(q.is_empty());
        assert_eq!(UaQueue::power_on().peek(), Some(Asc(0x29, 0)));
    }

    #[test]
    fn bounded() {
        let mut q = UaQueue::default();
        for i in 0..100u8 {
            q.push(Asc(0x80, i));
        }
        assert_eq!(q.len(), MAX_PENDING);
    }
}
