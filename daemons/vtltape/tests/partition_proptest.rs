//! Property tests of the partition arithmetic (sizes, units byte, rest of medium, scaling to
//! fit) and of page 0x11 parsing: no input panics, every plan fits the medium, and the
//! documented rules hold.

use proptest::prelude::*;
use vtltape::partitioning::{
    MIB, MIN_PARTITION_BYTES, PartitionRequest, PlanError, SizeRequest, descriptor_size,
    page_values, parse_page, plan, round_fixed, unit_bytes, units_for,
};

fn size() -> impl Strategy<Value = SizeRequest> {
    prop_oneof![
        (1u64..=u64::MAX).prop_map(SizeRequest::Bytes),
        (1u64..(1 << 34)).prop_map(SizeRequest::Bytes),
        Just(SizeRequest::Rest),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every accepted plan: one capacity per partition, each at least the minimum, all
    /// together within the medium; fixed ones whole MiB; a rest partition takes exactly
    /// what the others leave.
    #[test]
    fn plans_fit_the_medium(native in 0u64..(1 << 44), sizes in prop::collection::vec(size(), 0..5)) {
        match plan(native, &sizes) {
            Ok(caps) => {
                prop_assert_eq!(caps.len(), sizes.len());
                let total: u128 = caps.iter().map(|&c| u128::from(c)).sum();
                prop_assert!(total <= u128::from(native));
                for (c, s) in caps.iter().zip(&sizes) {
                    prop_assert!(*c >= MIN_PARTITION_BYTES);
                    if let SizeRequest::Bytes(_) = s {
                        prop_assert_eq!(c % MIB, 0);
                    }
                }
                if sizes.contains(&SizeRequest::Rest) {
                    prop_assert_eq!(total, u128::from(native));
                }
            }
            Err(PlanError::Empty) => prop_assert!(sizes.is_empty()),
            Err(PlanError::TwoRest(i)) => {
                prop_assert_eq!(sizes[i], SizeRequest::Rest);
                prop_assert_eq!(sizes[..i].iter().filter(|s| **s == SizeRequest::Rest).count(), 1);
            }
            Err(PlanError::ZeroSize(_)) => prop_assert!(false, "no zero sizes generated"),
            Err(PlanError::MediumTooSmall) => {
                // Refused only when the minimums do not fit.
                prop_assert!(sizes.len() as u128 * u128::from(MIN_PARTITION_BYTES) > u128::from(native));
            }
        }
    }

    /// Sizes that fit are laid out as asked (rounded up to MiB and the minimum); with a
    /// rest partition that does not fit, the fixed ones are scaled to at most half the
    /// medium (or the minimums, whichever is more), keeping their order.
    #[test]
    fn fitting_sizes_are_kept_and_scaling_keeps_order(
        native in (64 * MIB)..(1u64 << 40),
        a in 1u64..(1 << 41),
        b in 1u64..(1 << 41),
        rest_first in any::<bool>(),
    ) {
        let sizes = if rest_first {
            vec![SizeRequest::Rest, SizeRequest::Bytes(a), SizeRequest::Bytes(b)]
        } else {
            vec![SizeRequest::Bytes(a), SizeRequest::Bytes(b), SizeRequest::Rest]
        };
        let caps = plan(native, &sizes).unwrap();
        let (ca, cb, cr) = if rest_first { (caps[1], caps[2], caps[0]) } else { (caps[0], caps[1], caps[2]) };
        let (ra, rb) = (round_fixed(a), round_fixed(b));
        if u128::from(ra) + u128::from(rb) + u128::from(MIN_PARTITION_BYTES) <= u128::from(native) {
            prop_assert_eq!((ca, cb), (ra, rb));
        } else {
            prop_assert!(ca + cb <= (native / 2).max(2 * MIN_PARTITION_BYTES));
            prop_assert!(cr >= native / 2 || ca + cb == 2 * MIN_PARTITION_BYTES);
            if ra <= rb { prop_assert!(ca <= cb) } else { prop_assert!(ca >= cb) }
        }
        prop_assert_eq!(ca + cb + cr, native);
    }

    /// Without a rest partition, sizes that are too big are scaled to fit the medium.
    #[test]
    fn fixed_sizes_scale_to_the_medium(native in (16 * MIB)..(1u64 << 40), a in 1u64..u64::MAX, b in 1u64..u64::MAX) {
        let caps = plan(native, &[SizeRequest::Bytes(a), SizeRequest::Bytes(b)]).unwrap();
        prop_assert!(caps[0] + caps[1] <= native);
        let (ra, rb) = (round_fixed(a), round_fixed(b));
        if u128::from(ra) + u128::from(rb) <= u128::from(native) {
            prop_assert_eq!(caps, vec![ra, rb]);
        }
    }

    /// Descriptor units: PSUM 00b/01b/10b are bytes/KB/MB whatever PARTITION UNITS says;
    /// 11b is 10^units; FFFFh is the rest; nothing overflows.
    #[test]
    fn descriptor_units(psum in 0u8..4, units in 0u8..=255, d in 0u16..=0xffff) {
        let unit = unit_bytes(psum, units);
        let want: u128 = match psum { 0 => 1, 1 => 1000, 2 => 1_000_000, _ => 10u128.pow(u32::from(units & 15)) };
        prop_assert_eq!(unit, want);
        match descriptor_size(d, unit) {
            SizeRequest::Rest => prop_assert_eq!(d, 0xffff),
            SizeRequest::Bytes(b) => prop_assert_eq!(u128::from(b), (u128::from(d) * unit).min(u128::from(u64::MAX))),
        }
    }

    /// What MODE SENSE reports reads back (MODE SELECT of the page as sensed) as the same
    /// partitions within one unit of the units byte (a partition smaller than one unit as
    /// one unit), and the units byte is the smallest that fits.
    #[test]
    fn sensed_page_round_trips(caps in prop::collection::vec(MIN_PARTITION_BYTES..(1u64 << 44), 1..5)) {
        let page = page_values(4, 4, &caps);
        prop_assert_eq!(page.len(), 16);
        let u = units_for(&caps);
        prop_assert_eq!(page[6], u);
        let unit = 10u64.pow(u32::from(u));
        prop_assert!(caps.iter().all(|c| c / unit < 0xffff));
        if u > 0 {
            prop_assert!(caps.iter().any(|c| c / (unit / 10) >= 0xffff));
        }
        let req = parse_page(&page, 0, 4).unwrap();
        match req {
            PartitionRequest::Sizes(s) => {
                prop_assert_eq!(s.len(), caps.len());
                for (r, c) in s.iter().zip(&caps) {
                    let SizeRequest::Bytes(b) = r else { return Err(TestCaseError::fail("rest")) };
                    if *c >= unit {
                        prop_assert!(*b <= *c && c - b < unit);
                    } else {
                        // Smaller than one unit: reported as one unit, never as 0.
                        prop_assert_eq!(*b, unit);
                    }
                }
            }
            PartitionRequest::Single => prop_assert_eq!(caps.len(), 1),
            PartitionRequest::Equal(_) => prop_assert!(false, "IDP page parsed as SDP"),
        }
    }

    /// Any page bytes: parsing never panics, and an error always points into the page.
    #[test]
    fn parse_page_never_panics(page in prop::collection::vec(any::<u8>(), 0..24), max in 0u8..6) {
        if let Err(e) = parse_page(&page, 100, max) {
            let s = e.sense().unwrap();
            prop_assert_eq!(s.asc, vtl_scsi::Asc::INVALID_FIELD_IN_PARAMETER_LIST);
        }
    }
}
