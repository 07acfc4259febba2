//! Medium auxiliary memory (MAM) over SCSI: READ ATTRIBUTE (SPC-5 6.17) and WRITE ATTRIBUTE
//! (SPC-5 6.49) on the MAM of the loaded cartridge (libvtlcart [`Mam`], spec 1.6–1.8).
//!
//! Attributes are the ones the cartridge's MAM stores ([`Mam::attributes`]), each reported
//! in the attribute format of SPC-5 7.4.1: bytes 0..1 ATTRIBUTE IDENTIFIER, byte 2 bit 7
//! READ ONLY and bits 1..0 FORMAT (00b binary, 01b ASCII, 10b text), bytes 3..4 ATTRIBUTE
//! LENGTH, then the value exactly as stored (so MEDIUM TYPE INFORMATION keeps mhvtl's
//! little-endian bytes, spec 1.9). Three values depend on the PARTITION NUMBER of the CDB:
//! 0x0000 REMAINING CAPACITY IN PARTITION and 0x0001 MAXIMUM CAPACITY IN PARTITION are
//! computed in MiB (2^20 bytes) for that partition ([`remaining_in`], [`Cartridge::capacity`]),
//! and 0x080C VOLUME COHERENCY INFORMATION is that partition's copy (spec 1.7).
//!
//! Access follows the identifier ranges of SPC-5 7.4.1: device type attributes
//! (0x0000..0x03FF) and medium type attributes (0x0400..0x07FF) are read only, host type
//! attributes (0x0800..0x0BFF) and host vendor-specific ones (0x1400..0x17FF, e.g. LTFS's
//! 0x1623 VOLUME LOCKED) are read/write.
//!
//! Existence: device and medium attributes always exist; a host attribute whose stored value
//! is all zero bytes (never written, or deleted by a WRITE ATTRIBUTE with ATTRIBUTE LENGTH 0)
//! is in the nonexistent state and is not returned by ATTRIBUTE VALUES or ATTRIBUTE LIST.

use libvtlcart::mam::AttributeFormat;
use libvtlcart::{Cartridge, Mam};
use vtl_scsi::cdb::truncate_to;
use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::cdb::{ReadAttribute, WriteAttribute};
use crate::drive::{Drive, remaining_in};
use crate::error::cart_sense;

/// READ ATTRIBUTE service action 00h ATTRIBUTE VALUES (SPC-5 6.17).
pub const SA_ATTRIBUTE_VALUES: u8 = 0x00;
/// READ ATTRIBUTE service action 01h ATTRIBUTE LIST.
pub const SA_ATTRIBUTE_LIST: u8 = 0x01;
/// READ ATTRIBUTE service action 02h LOGICAL VOLUME LIST.
pub const SA_LOGICAL_VOLUME_LIST: u8 = 0x02;
/// READ ATTRIBUTE service action 03h PARTITION LIST.
pub const SA_PARTITION_LIST: u8 = 0x03;
/// READ ATTRIBUTE service action 05h SUPPORTED ATTRIBUTES.
pub const SA_SUPPORTED_ATTRIBUTES: u8 = 0x05;

/// VOLUME COHERENCY INFORMATION: the one per-partition host attribute (stored up to
/// [`libvtlcart::mam::VCI_LEN`] bytes, zero padded).
const VCI: u16 = 0x080c;

/// Whether attribute `id` is read only (SPC-5 7.4.1 identifier ranges): everything but host
/// type attributes 0x0800..0x0BFF and host vendor-specific attributes 0x1400..0x17FF.
pub fn is_read_only(id: u16) -> bool {
    !matches!(id, 0x0800..=0x0bff | 0x1400..=0x17ff)
}

/// FORMAT field code (SPC-5 7.4.1): 0 binary, 1 ASCII, 2 text.
pub fn format_code(f: AttributeFormat) -> u8 {
    match f {
        AttributeFormat::Binary => 0,
        AttributeFormat::Ascii => 1,
        AttributeFormat::Text => 2,
    }
}

/// One attribute as READ ATTRIBUTE reports it for a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeValue {
    /// ATTRIBUTE IDENTIFIER.
    pub id: u16,
    /// READ ONLY bit.
    pub read_only: bool,
    /// FORMAT.
    pub format: AttributeFormat,
    /// The value bytes (ATTRIBUTE LENGTH = its length).
    pub value: Vec<u8>,
}

impl AttributeValue {
    /// Whether the attribute is in the existing state (see the module docs).
    pub fn exists(&self) -> bool {
        self.id < 0x0800 || self.value.iter().any(|&b| b != 0)
    }

    /// The attribute in SPC-5 7.4.1 format: 5-byte header then the value.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_be_bytes());
        out.push(u8::from(self.read_only) << 7 | format_code(self.format));
        out.extend_from_slice(&(self.value.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.value);
    }
}

/// Every attribute `cart` supports for partition `part`, in ascending identifier order, with
/// the per-partition values filled in (0x0000 / 0x0001 in MiB, 0x080C of that partition) and
/// the byte counters 0x0220..0x0223 as they stand in this load
/// ([`Cartridge::mbyte_counters`]: SPC-5 7.4.2.2 counts the *current* load, not the MAM's
/// values from the last unload).
pub fn attributes_for(cart: &Cartridge, part: u32) -> Vec<AttributeValue> {
    const MIB: u32 = 20;
    let mam = cart.mam();
    let counters = cart.mbyte_counters();
    let mut v: Vec<AttributeValue> = mam
        .attributes()
        .iter()
        .map(|a| AttributeValue {
            id: a.id,
            read_only: is_read_only(a.id),
            format: a.format,
            value: match a.id {
                0x0000 => (remaining_in(cart, part) >> MIB).to_be_bytes().to_vec(),
                0x0001 => (cart.capacity(part) >> MIB).to_be_bytes().to_vec(),
                0x0220 => counters.written_in_medium_life.to_be_bytes().to_vec(),
                0x0221 => counters.read_in_medium_life.to_be_bytes().to_vec(),
                0x0222 => counters.written_in_load.to_be_bytes().to_vec(),
                0x0223 => counters.read_in_load.to_be_bytes().to_vec(),
                VCI => mam
                    .volume_coherency
                    .get(part as usize)
                    .map_or_else(Vec::new, |b| b.to_vec()),
                _ => a.value.to_vec(),
            },
        })
        .collect();
    v.sort_by_key(|a| a.id);
    v
}

/// The stored bytes of writable attribute `id` (partition `part` for 0x080C), or `None`
/// when `id` is not a writable attribute this MAM stores.
fn host_field_mut(m: &mut Mam, id: u16, part: usize, tlv: bool) -> Option<&mut [u8]> {
    let b = &mut m.base;
    Some(match id {
        0x0800 => &mut b.application_vendor,
        0x0801 => &mut b.application_name,
        0x0802 => &mut b.application_version,
        0x0803 => &mut b.user_medium_text_label,
        0x0804 => &mut b.date_time_last_written,
        0x0805 => std::slice::from_mut(&mut b.localization_identifier),
        0x0806 => &mut b.barcode,
        0x0807 => &mut b.owning_host_textual_name,
        0x0808 => &mut b.media_pool,
        0x080b if tlv => &mut m.application_format_version,
        VCI if tlv => m.volume_coherency.get_mut(part)?,
        0x1623 if tlv => std::slice::from_mut(&mut m.volume_lock),
        _ => return None,
    })
}

/// Check the LOGICAL VOLUME NUMBER (only volume 0 exists) and PARTITION NUMBER (below the
/// cartridge's partition count) of a READ/WRITE ATTRIBUTE CDB: INVALID FIELD IN CDB at byte
/// 5 / byte 7.
fn check_volume_partition(cart: &Cartridge, volume: u8, part: u8) -> Result<(), ScsiError> {
    if volume != 0 {
        return Err(ScsiError::cdb(5, None, "only logical volume 0 exists"));
    }
    if u32::from(part) >= cart.partition_count() {
        return Err(ScsiError::cdb(7, None, "no such partition"));
    }
    Ok(())
}

/// Parse and validate a WRITE ATTRIBUTE parameter list (SPC-5 6.49): 4-byte PARAMETER DATA
/// LENGTH then attributes in SPC-5 7.4.1 format, and apply it to `m` (partition `part`).
/// `m` may be partly changed when an error is returned: the caller works on a copy.
///
/// Errors: PARAMETER LIST LENGTH ERROR (field pointer at the CDB's PARAMETER LIST LENGTH,
/// byte 10) when the list is shorter than 4 bytes, PARAMETER DATA LENGTH is neither the
/// PARAMETER LIST LENGTH − 4 (SPC-5) nor the PARAMETER LIST LENGTH itself (what LTFS's IBM
/// backend sends, and IBM drives accept), or an attribute runs past the end; INVALID FIELD IN PARAMETER
/// LIST with the field pointer at the ATTRIBUTE IDENTIFIER for an unsupported or read-only
/// attribute or attributes not in ascending order, at the FORMAT byte (bit 1) for a wrong
/// FORMAT, at the ATTRIBUTE LENGTH for a wrong length, at the offending byte for an ASCII
/// value with a byte outside 20h..7Eh.
pub fn apply_parameter_list(m: &mut Mam, part: usize, p: &[u8]) -> Result<(), ScsiError> {
    let plle = || ScsiError::param_list_length_at(10);
    if p.len() < 4 {
        return Err(plle());
    }
    let pdl = u32::from_be_bytes([p[0], p[1], p[2], p[3]]);
    // SPC-5: the bytes after this field. LTFS's sg/IBM backends count the field itself
    // (`len = size + 4`), which IBM drives accept: both are taken.
    if u64::from(pdl) + 4 != p.len() as u64 && u64::from(pdl) != p.len() as u64 {
        return Err(plle());
    }
    let tlv = m.base.mam_fmt_version.get() == libvtlcart::mam::MAM_FMT_TLV;
    let mut off = 4usize;
    let mut prev: Option<u16> = None;
    while off < p.len() {
        let h = p.get(off..off + 5).ok_or_else(plle)?;
        let id = u16::from_be_bytes([h[0], h[1]]);
        let fmt = h[2] & 0x03;
        let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
        let value = p.get(off + 5..off + 5 + len).ok_or_else(plle)?;
        let at = off as u16;
        if prev.is_some_and(|q| id <= q) {
            return Err(ScsiError::param(
                at,
                None,
                "attributes not in ascending order",
            ));
        }
        prev = Some(id);
        let Some((_, format)) = libvtlcart::mam::attribute_info(id) else {
            return Err(ScsiError::param(at, None, "attribute not supported"));
        };
        if is_read_only(id) {
            return Err(ScsiError::param(at, None, "attribute is read only"));
        }
        let Some(field) = host_field_mut(m, id, part, tlv) else {
            return Err(ScsiError::param(at, None, "attribute not supported"));
        };
        if fmt != format_code(format) {
            return Err(ScsiError::param(at + 2, Some(1), "wrong attribute format"));
        }
        let len_ok = len == 0 || len == field.len() || (id == VCI && len <= field.len());
        if !len_ok {
            return Err(ScsiError::param(at + 3, None, "wrong attribute length"));
        }
        if format == AttributeFormat::Ascii
            && let Some(i) = value.iter().position(|b| !(0x20..=0x7e).contains(b))
        {
            return Err(ScsiError::param(
                (off + 5 + i) as u16,
                None,
                "ASCII attribute holds a non-graphic byte",
            ));
        }
        field.fill(0);
        field[..len].copy_from_slice(value);
        off += 5 + len;
    }
    Ok(())
}

impl Drive {
    /// READ ATTRIBUTE (SPC-5 6.17) on the loaded cartridge's MAM.
    ///
    /// * 00h ATTRIBUTE VALUES: 4-byte AVAILABLE DATA (bytes that follow), then every existing
    ///   attribute with an identifier ≥ FIRST ATTRIBUTE IDENTIFIER, ascending. When the first
    ///   identifier names no existing attribute: INVALID FIELD IN CDB at byte 8 (the way IBM
    ///   LTO drives answer a request for an absent attribute, and what LTFS takes as
    ///   "attribute not present").
    /// * 01h ATTRIBUTE LIST: 4-byte AVAILABLE DATA, then the 2-byte identifiers of every
    ///   existing attribute; 05h SUPPORTED ATTRIBUTES: the same for every supported
    ///   attribute, existing or not.
    /// * 02h LOGICAL VOLUME LIST: AVAILABLE DATA 0002h, FIRST LOGICAL VOLUME NUMBER 0,
    ///   NUMBER OF LOGICAL VOLUMES 1; 03h PARTITION LIST: AVAILABLE DATA 0002h, FIRST
    ///   PARTITION NUMBER 0, NUMBER OF PARTITIONS AVAILABLE.
    ///
    /// The data is cut to the ALLOCATION LENGTH (AVAILABLE DATA keeps the full length).
    /// NOT READY / MEDIUM NOT PRESENT without a cartridge; INVALID FIELD IN CDB at byte 5 / 7
    /// for a logical volume other than 0 or a partition the cartridge does not have. CACHE
    /// is accepted: values are always current.
    pub fn read_attribute(
        &mut self,
        c: &ReadAttribute,
        data_in: &mut Vec<u8>,
    ) -> Result<(), ScsiError> {
        let l = self.loaded()?;
        let cart = &l.cart;
        let mut out = Vec::new();
        match c.service_action() {
            SA_LOGICAL_VOLUME_LIST => out.extend_from_slice(&[0, 2, 0, 1]),
            SA_PARTITION_LIST => {
                let n = u8::try_from(cart.partition_count()).unwrap_or(u8::MAX);
                out.extend_from_slice(&[0, 2, 0, n]);
            }
            sa => {
                check_volume_partition(cart, c.volume(), c.partition())?;
                let attrs = attributes_for(cart, u32::from(c.partition()));
                let mut body = Vec::new();
                match sa {
                    SA_ATTRIBUTE_VALUES => {
                        let first = c.first_attribute();
                        if !attrs.iter().any(|a| a.id == first && a.exists()) {
                            return Err(ScsiError::cdb(
                                8,
                                None,
                                "FIRST ATTRIBUTE IDENTIFIER names no existing attribute",
                            ));
                        }
                        for a in attrs.iter().filter(|a| a.id >= first && a.exists()) {
                            a.encode(&mut body);
                        }
                    }
                    SA_ATTRIBUTE_LIST => {
                        for a in attrs.iter().filter(|a| a.exists()) {
                            body.extend_from_slice(&a.id.to_be_bytes());
                        }
                    }
                    _ => {
                        for a in &attrs {
                            body.extend_from_slice(&a.id.to_be_bytes());
                        }
                    }
                }
                out.extend_from_slice(&(body.len() as u32).to_be_bytes());
                out.extend_from_slice(&body);
            }
        }
        truncate_to(
            &mut out,
            usize::try_from(c.allocation_length()).unwrap_or(usize::MAX),
        );
        data_in.extend_from_slice(&out);
        Ok(())
    }

    /// WRITE ATTRIBUTE (SPC-5 6.49): set or delete (ATTRIBUTE LENGTH 0: the value is zeroed,
    /// the attribute becomes nonexistent) the host attributes of the parameter list, all or
    /// nothing: every attribute is validated ([`apply_parameter_list`]) before the MAM
    /// changes. The new MAM is then written to the cartridge at once
    /// ([`Cartridge::write_mam`]): GOOD status means the attributes are durable (WTC is
    /// accepted; every write goes through). A PARAMETER LIST LENGTH of 0 changes nothing.
    ///
    /// Errors: NOT READY / MEDIUM NOT PRESENT; INVALID FIELD IN CDB at byte 5 / 7 for a bad
    /// logical volume / partition; DATA PROTECT / WRITE PROTECTED (27/00) when the cartridge
    /// is write protected (or a cleaning cartridge, or opened read-only) — the MAM is part of
    /// the cartridge the protection covers, as on IBM LTO drives; PARAMETER LIST LENGTH ERROR
    /// when fewer bytes arrive than the PARAMETER LIST LENGTH; the errors of
    /// [`apply_parameter_list`]; the media error of a failed MAM write (the MAM is left as
    /// it was).
    pub fn write_attribute(
        &mut self,
        c: &WriteAttribute,
        data_out: &[u8],
    ) -> Result<(), ScsiError> {
        let l = self.loaded()?;
        check_volume_partition(&l.cart, c.volume(), c.partition())?;
        let len = usize::try_from(c.parameter_list_length()).unwrap_or(usize::MAX);
        if len == 0 {
            return Ok(());
        }
        if l.cart.is_write_protected() {
            return Err(ScsiError::Check(Sense::new(
                SenseKey::DataProtect,
                Asc::WRITE_PROTECTED,
            )));
        }
        let p = data_out
            .get(..len)
            .ok_or(ScsiError::param_list_length_at(10))?;
        let mut new = l.cart.mam().clone();
        apply_parameter_list(&mut new, usize::from(c.partition()), p)?;
        let old = std::mem::replace(l.cart.mam_mut(), new);
        if let Err(e) = l.cart.write_mam() {
            *l.cart.mam_mut() = old;
            return Err(ScsiError::Check(cart_sense(&e)));
        }
        Ok(())
    }
}
