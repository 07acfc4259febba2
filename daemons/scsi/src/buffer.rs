//! READ BUFFER / WRITE BUFFER (SPC-5 6.20, 6.49): data buffer 0 (modes 00h combined
//! header and data, 02h data, 03h descriptor) and the per-nexus echo buffer (modes 0Ah
//! echo buffer, 0Bh echo buffer descriptor). Download microcode modes are not supported.

use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::cdb::{check_control, check_reserved, check_reserved_bytes, truncate_to, view};
use crate::error::{Result, ScsiError};
use crate::sense::Asc;

/// Capacity of data buffer 0, bytes.
pub const DATA_BUFFER_CAPACITY: usize = 64 * 1024;
/// Capacity of each I_T nexus's echo buffer, bytes.
pub const ECHO_BUFFER_CAPACITY: usize = 4096;

/// READ BUFFER(10) / WRITE BUFFER CDB (SPC-5 6.20.1, 6.49.1).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct BufferCdb {
    /// 0x3C / 0x3B.
    pub op: u8,
    /// MODE SPECIFIC (7..5), MODE (4..0).
    pub mode: u8,
    /// BUFFER ID.
    pub buffer_id: u8,
    /// BUFFER OFFSET (24 bits).
    pub offset: [u8; 3],
    /// ALLOCATION LENGTH (READ) / PARAMETER LIST LENGTH (WRITE), 24 bits.
    pub length: [u8; 3],
    /// CONTROL.
    pub control: u8,
}

fn u24(b: [u8; 3]) -> usize {
    (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2])
}

/// Data buffer 0 of a logical unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buffers {
    data: Vec<u8>,
}

impl Default for Buffers {
    fn default() -> Self {
        Buffers {
            data: vec![0; DATA_BUFFER_CAPACITY],
        }
    }
}

impl Buffers {
    /// READ BUFFER. `echo` is the requesting nexus's echo buffer (`None` until it wrote
    /// one: reading it then is COMMAND SEQUENCE ERROR, SPC-5 6.20.9).
    pub fn read(&self, echo: Option<&[u8]>, cdb: &[u8], data_in: &mut Vec<u8>) -> Result<()> {
        let c: &BufferCdb = view(cdb)?;
        check_reserved(c.mode, 0xe0, 1)?;
        check_control(c.control, 9)?;
        let offset = u24(c.offset);
        let alloc = u24(c.length);
        let mut out = Vec::new();
        match c.mode & 0x1f {
            0x00 => {
                check_reserved_bytes(cdb, 2..6)?;
                out.push(0);
                out.extend_from_slice(&(DATA_BUFFER_CAPACITY as u32).to_be_bytes()[1..]);
                out.extend_from_slice(&self.data[..alloc.min(self.data.len())]);
            }
            0x02 => {
                if c.buffer_id != 0 {
                    return Err(ScsiError::cdb(2, None, "buffer id"));
                }
                if offset > self.data.len() {
                    return Err(ScsiError::cdb(3, None, "buffer offset beyond capacity"));
                }
                let end = offset.saturating_add(alloc).min(self.data.len());
                out.extend_from_slice(&self.data[offset..end]);
            }
            0x03 => {
                if c.buffer_id != 0 {
                    return Err(ScsiError::cdb(2, None, "buffer id"));
                }
                check_reserved_bytes(cdb, 3..6)?;
                out.push(0); // OFFSET BOUNDARY: 2^0, any offset
                out.extend_from_slice(&(DATA_BUFFER_CAPACITY as u32).to_be_bytes()[1..]);
            }
            0x0a => {
                check_reserved_bytes(cdb, 2..6)?;
                let Some(e) = echo else {
                    return Err(ScsiError::illegal_at(Asc::COMMAND_SEQUENCE_ERROR, 1, None));
                };
                out.extend_from_slice(e);
            }
            0x0b => {
                check_reserved_bytes(cdb, 2..6)?;
                out.extend_from_slice(&[0, 0]);
                out.extend_from_slice(&(ECHO_BUFFER_CAPACITY as u16).to_be_bytes());
            }
            _ => return Err(ScsiError::cdb(1, Some(4), "buffer mode not supported")),
        }
        truncate_to(&mut out, alloc);
        data_in.extend_from_slice(&out);
        Ok(())
    }

    /// WRITE BUFFER. Data beyond the buffer's capacity → INVALID FIELD IN CDB at the
    /// BUFFER OFFSET (byte 3) when the offset itself is beyond it, else at the PARAMETER
    /// LIST LENGTH (byte 6). Mode 0Ah replaces `echo`.
    pub fn write(&mut self, echo: &mut Option<Vec<u8>>, cdb: &[u8], data_out: &[u8]) -> Result<()> {
        let c: &BufferCdb = view(cdb)?;
        check_reserved(c.mode, 0xe0, 1)?;
        check_control(c.control, 9)?;
        let offset = u24(c.offset);
        let len = u24(c.length);
        let data = &data_out[..len.min(data_out.len())];
        match c.mode & 0x1f {
            0x00 => {
                check_reserved_bytes(cdb, 2..6)?;
                if len > 4 + self.data.len() {
                    return Err(ScsiError::cdb(6, None, "parameter list length"));
                }
                let body = data.get(4..).unwrap_or_default();
                self.data[..body.len()].copy_from_slice(body);
            }
            0x02 => {
                if c.buffer_id != 0 {
                    return Err(ScsiError::cdb(2, None, "buffer id"));
                }
                if offset > self.data.len() {
                    return Err(ScsiError::cdb(3, None, "buffer offset beyond capacity"));
                }
                if offset + len > self.data.len() {
                    return Err(ScsiError::cdb(6, None, "parameter list length"));
                }
                self.data[offset..offset + data.len()].copy_from_slice(data);
            }
            0x0a => {
                check_reserved_bytes(cdb, 2..6)?;
                if len > ECHO_BUFFER_CAPACITY {
                    return Err(ScsiError::cdb(6, None, "parameter list length"));
                }
                *echo = Some(data.to_vec());
            }
            _ => return Err(ScsiError::cdb(1, Some(4), "buffer mode not supported")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdb(op: u8, mode: u8, id: u8, offset: usize, len: usize) -> Vec<u8> {
        let o = (offset as u32).to_be_bytes();
        let l = (len as u32).to_be_bytes();
        vec![op, mode, id, o[1], o[2], o[3], l[1], l[2], l[3], 0]
    }

    #[test]
    fn data_buffer_round_trip() {
        let mut b = Buffers::default();
        let mut echo = None;
        b.write(&mut echo, &cdb(0x3b, 2, 0, 10, 3), &[1, 2, 3])
            .unwrap();
        let mut d = Vec::new();
        b.read(None, &cdb(0x3c, 2, 0, 9, 5), &mut d).unwrap();
        assert_eq!(d, [0, 1, 2, 3, 0]);
        d.clear();
        b.read(None, &cdb(0x3c, 3, 0, 0, 4), &mut d).unwrap();
        assert_eq!(d, [0, 0x01, 0x00, 0x00]);
        d.clear();
        b.read(None, &cdb(0x3c, 0, 0, 0, 6), &mut d).unwrap();
        assert_eq!(d, [0, 0x01, 0x00, 0x00, 0, 0]);
        assert_eq!(
            b.write(&mut echo, &cdb(0x3b, 2, 0, 70000, 1), &[1]),
            Err(ScsiError::cdb(3, None, "buffer offset beyond capacity"))
        );
        assert_eq!(
            b.write(&mut echo, &cdb(0x3b, 2, 0, 65535, 2), &[1, 2]),
            Err(ScsiError::cdb(6, None, "parameter list length"))
        );
        assert_eq!(
            b.read(None, &cdb(0x3c, 2, 1, 0, 1), &mut d),
            Err(ScsiError::cdb(2, None, "buffer id"))
        );
        assert_eq!(
            b.read(None, &cdb(0x3c, 5, 0, 0, 1), &mut d),
            Err(ScsiError::cdb(1, Some(4), "buffer mode not supported"))
        );
    }

    #[test]
    fn echo_buffer() {
        let mut b = Buffers::default();
        let mut echo = None;
        let mut d = Vec::new();
        let e = b
            .read(echo.as_deref(), &cdb(0x3c, 0x0a, 0, 0, 8), &mut d)
            .unwrap_err();
        assert_eq!(e.sense().unwrap().asc, Asc::COMMAND_SEQUENCE_ERROR);
        b.write(&mut echo, &cdb(0x3b, 0x0a, 0, 0, 4), b"ping")
            .unwrap();
        b.read(echo.as_deref(), &cdb(0x3c, 0x0a, 0, 0, 8), &mut d)
            .unwrap();
        assert_eq!(d, b"ping");
        d.clear();
        b.read(None, &cdb(0x3c, 0x0b, 0, 0, 4), &mut d).unwrap();
        assert_eq!(d, [0, 0, 0x10, 0x00]);
        assert_eq!(
            b.write(&mut echo, &cdb(0x3b, 0x0a, 0, 0, 4097), &[0; 4097]),
            Err(ScsiError::cdb(6, None, "parameter list length"))
        );
    }
}
