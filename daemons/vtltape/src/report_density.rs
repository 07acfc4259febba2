//! REPORT DENSITY SUPPORT (SSC-5 6.4): the command around
//! [`Personality::report_density_support`](crate::personality::Personality::report_density_support).

use vtl_scsi::ScsiError;
use vtl_scsi::cdb::truncate_to;

use crate::cdb::ReportDensitySupport;
use crate::drive::Drive;

impl Drive {
    /// REPORT DENSITY SUPPORT.
    ///
    /// * MEDIA=0: the densities (MEDIUM TYPE=0) or medium types (MEDIUM TYPE=1) the drive
    ///   supports; DEFLT marks the loaded medium's density (the native one when empty).
    /// * MEDIA=1: only the loaded medium's; without a threaded cartridge the NOT READY
    ///   condition of TEST UNIT READY (MEDIUM NOT PRESENT 3A/00, or the refusal sense of a
    ///   cartridge left in the mouth).
    ///
    /// The parameter data is cut to the ALLOCATION LENGTH (its header still gives the full
    /// AVAILABLE DENSITY SUPPORT LENGTH).
    pub fn report_density_support(
        &mut self,
        c: &ReportDensitySupport,
        data_in: &mut Vec<u8>,
    ) -> Result<(), ScsiError> {
        if c.media() {
            self.ready()?;
        }
        let mut out =
            self.personality()
                .report_density_support(c.medium_type(), c.media(), self.media());
        truncate_to(&mut out, usize::from(c.allocation_length()));
        data_in.extend_from_slice(&out);
        Ok(())
    }
}
