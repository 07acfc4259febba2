//! Data-path statistics the log pages report (SSC-5 8.2.3 sequential-access device page,
//! SPC-5 7.3.7 / 7.3.23 read and write error counter pages, the vendor data compression
//! page 0x32): bytes and blocks moved between the host and the drive, bytes moved between
//! the drive and the medium (after compression), filemarks written and media errors met.
//!
//! [`Counters`] keeps two [`Tally`]s updated together:
//! * `since_reset`: since power on or the last LOG SELECT reset of the page (pages 0x02,
//!   0x03, 0x0C);
//! * `this_load`: since the current cartridge was loaded (page 0x32; HP and IBM LTO clear
//!   their data compression page at every load). [`TapeDrive`](crate::TapeDrive) starts a
//!   new load tally when it reports a medium change.

use libvtlcart::{CartError, Cartridge};

use crate::drive::{Drive, Slot};

/// One set of counters (all in bytes, blocks or events; saturating).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Data bytes received from the initiators by WRITE commands and written.
    pub host_bytes_written: u64,
    /// Data blocks written by WRITE commands.
    pub host_blocks_written: u64,
    /// Bytes those blocks occupy on the medium (after compression).
    pub medium_bytes_written: u64,
    /// Data bytes transferred to the initiators by READ commands.
    pub host_bytes_read: u64,
    /// Data blocks read from the medium (READ and VERIFY).
    pub medium_blocks_read: u64,
    /// Stored bytes of the blocks read from the medium (before decompression).
    pub medium_bytes_read: u64,
    /// Filemarks written.
    pub filemarks_written: u64,
    /// Write-side media errors met (unrecovered: the emulation never retries).
    pub write_errors: u64,
    /// Read-side media errors met (bad block, corrupt or unreadable medium).
    pub read_errors: u64,
}

impl Tally {
    /// Forget the write error counter page's values (page 0x02 reset).
    pub fn reset_write_errors(&mut self) {
        self.write_errors = 0;
    }

    /// Forget the read error counter page's values (page 0x03 reset).
    pub fn reset_read_errors(&mut self) {
        self.read_errors = 0;
    }

    /// Forget the byte counts (page 0x0C reset).
    pub fn reset_bytes(&mut self) {
        let (w, r) = (self.write_errors, self.read_errors);
        *self = Tally::default();
        self.write_errors = w;
        self.read_errors = r;
    }
}

/// The drive's counters: since power on / LOG SELECT reset, and for the current load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Since power on or the last LOG SELECT reset (pages 0x02, 0x03, 0x0C).
    pub since_reset: Tally,
    /// Since the current cartridge was loaded (page 0x32).
    pub this_load: Tally,
}

impl Counters {
    fn both(&mut self, f: impl Fn(&mut Tally)) {
        f(&mut self.since_reset);
        f(&mut self.this_load);
    }

    /// A block of `host` bytes was written, taking `stored` bytes of the medium.
    pub fn block_written(&mut self, host: u64, stored: u64) {
        self.both(|t| {
            t.host_bytes_written = t.host_bytes_written.saturating_add(host);
            t.host_blocks_written = t.host_blocks_written.saturating_add(1);
            t.medium_bytes_written = t.medium_bytes_written.saturating_add(stored);
        });
    }

    /// A block stored as `stored` bytes was read from the medium.
    pub fn block_read(&mut self, stored: u64) {
        self.both(|t| {
            t.medium_blocks_read = t.medium_blocks_read.saturating_add(1);
            t.medium_bytes_read = t.medium_bytes_read.saturating_add(stored);
        });
    }

    /// `n` bytes were transferred to an initiator by a READ command.
    pub fn host_read(&mut self, n: u64) {
        self.both(|t| t.host_bytes_read = t.host_bytes_read.saturating_add(n));
    }

    /// `n` filemarks were written.
    pub fn filemarks(&mut self, n: u64) {
        self.both(|t| t.filemarks_written = t.filemarks_written.saturating_add(n));
    }

    /// A write-side media error was met.
    pub fn write_error(&mut self) {
        self.both(|t| t.write_errors = t.write_errors.saturating_add(1));
    }

    /// A read-side media error was met.
    pub fn read_error(&mut self) {
        self.both(|t| t.read_errors = t.read_errors.saturating_add(1));
    }

    /// A cartridge was loaded: the per-load tally starts from zero.
    pub fn new_load(&mut self) {
        self.this_load = Tally::default();
    }
}

/// Stored size of the block just before the current position of `cart` (the one a write
/// has just appended), 0 when there is none.
fn last_stored_size(cart: &Cartridge) -> u64 {
    let pos = cart.position();
    pos.block
        .checked_sub(1)
        .and_then(|b| cart.record(pos.partition, b).ok())
        .map_or(0, |r| u64::from(r.disk_blk_size.get()))
}

impl Drive {
    /// The data-path counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The data-path counters, mutable (LOG SELECT resets, a new load).
    pub fn counters_mut(&mut self) -> &mut Counters {
        &mut self.counters
    }

    /// Count the data block of `host` bytes a WRITE has just appended (its stored size is
    /// read back from the cartridge's index record).
    pub(crate) fn count_block_written(&mut self, host: usize) {
        let stored = match &self.slot {
            Slot::Loaded(l) => last_stored_size(&l.cart),
            _ => 0,
        };
        self.counters.block_written(host as u64, stored);
    }

    /// Count a read-side failure when it is a media error (bad block, corrupt or
    /// unreadable cartridge files); other errors (wrong arguments...) are not counted.
    pub(crate) fn count_read_error(&mut self, e: &CartError) {
        if matches!(
            e,
            CartError::BadBlock { .. } | CartError::Corrupt { .. } | CartError::Io { .. }
        ) {
            self.counters.read_error();
        }
    }
}
