//! READ MEDIA SERIAL NUMBER (SPC-5 6.18).

use libvtlcart::mam::field_str;
use vtl_scsi::ScsiError;

use crate::cdb::ReadMediaSerialNumber;
use crate::drive::Drive;

impl Drive {
    /// READ MEDIA SERIAL NUMBER: bytes 0..3 MEDIA SERIAL NUMBER LENGTH (a multiple of 4),
    /// then the MAM's MEDIUM SERIAL NUMBER (attribute 0x0401) without trailing NULs and
    /// spaces, padded with NULs to that length; cut to the allocation length. NOT READY /
    /// MEDIUM NOT PRESENT without a cartridge.
    pub fn read_media_serial_number(
        &mut self,
        c: &ReadMediaSerialNumber,
        data_in: &mut Vec<u8>,
    ) -> Result<(), ScsiError> {
        let l = self.loaded()?;
        let serial = field_str(&l.cart.mam().base.medium_serial_number);
        let serial = serial.trim_end_matches([' ', '\0']);
        let mut bytes = serial.as_bytes().to_vec();
        bytes.resize(bytes.len().div_ceil(4) * 4, 0);
        let mut d = (bytes.len() as u32).to_be_bytes().to_vec();
        d.extend_from_slice(&bytes);
        d.truncate(usize::try_from(c.allocation_length()).unwrap_or(usize::MAX));
        data_in.extend_from_slice(&d);
        Ok(())
    }
}
