//! Drive personalities: product id lookup, media access rules, MODE SENSE medium types,
//! REPORT DENSITY SUPPORT data and identification of every mhvtl fixture tape.

use libvtlcart::{Cartridge, MediumType, OpenOptionsCart};
use vtltape::density::{IdentifiedBy, MediaDensity};
use vtltape::personality::{Family, Lbp, Media, MediaAccess, Personality};

fn media(name: &str, t: MediumType) -> Media {
    Media::new(MediaDensity::by_name(name).unwrap(), t)
}

fn access(product: &str, name: &str, t: MediumType) -> MediaAccess {
    Personality::for_product(product).media_access(&media(name, t))
}

#[test]
fn product_id_lookup() {
    let p = Personality::for_product("ULT3580-TD8");
    assert_eq!(p.name, "IBM LTO-8");
    assert_eq!(p.family, Family::IbmLto(8));
    // The INQUIRY field is 16 characters, space padded.
    assert_eq!(
        Personality::for_product("ULT3580-TD8     ").name,
        "IBM LTO-8"
    );
    assert_eq!(Personality::for_product("ULTRIUM-HH7").name, "IBM LTO-7");
    assert_eq!(Personality::for_product("ULT3580-HH10").name, "IBM LTO-10");
    assert_eq!(
        Personality::for_product("Ultrium 5-SCSI  ").name,
        "HP LTO-5"
    );
    assert_eq!(Personality::for_product("03592E06").name, "IBM 03592E06");
    assert_eq!(Personality::for_product("T10000C").name, "STK T10000C");
    assert_eq!(Personality::for_product("T9940A").name, "STK T9940A");
    assert_eq!(Personality::for_product("SDX-700V").name, "Sony AIT-3");
    assert_eq!(Personality::for_product("SDLT 320").name, "Quantum SDLT320");
    assert_eq!(Personality::for_product("DLT8000").name, "Quantum DLT8000");
    // Exact match only: case, prefixes and leading spaces select the default.
    for unknown in [
        "ult3580-td8",
        "ULT3580-TD",
        "ULT3580-TD80",
        " ULT3580-TD8",
        "",
        "VTL",
    ] {
        let p = Personality::for_product(unknown);
        assert_eq!(p.family, Family::Default, "{unknown:?}");
        assert!(!p.worm && !p.encryption && !p.persistent_reservation);
        assert_eq!(p.lbp, Lbp::None);
    }
    assert_eq!(Personality::all().len(), 42);
}

#[test]
fn feature_flags_follow_the_spec_table() {
    let f = |id: &str| Personality::for_product(id);
    assert!(!f("ULT3580-TD2").worm && f("ULT3580-TD3").worm);
    assert!(!f("ULT3580-TD3").encryption && f("ULT3580-TD4").encryption);
    assert_eq!(f("ULT3580-TD4").lbp, Lbp::None);
    assert_eq!(f("ULT3580-TD6").lbp, Lbp::RsCrc);
    assert_eq!(f("ULT3580-TD7").lbp, Lbp::RsCrcAndCrc32c);
    assert!(!f("ULT3580-TD4").append_only && f("ULT3580-TD5").append_only);
    assert_eq!(f("Ultrium 7-SCSI").lbp, Lbp::None);
    assert!(!f("Ultrium 7-SCSI").append_only && f("Ultrium 7-SCSI").worm);
    assert_eq!(
        [1, 4, 5, 6, 7, 9].map(|g| f(&format!("ULT3580-TD{g}")).max_partitions),
        [1, 1, 2, 2, 4, 4]
    );
    assert!(!f("T10000A").worm && f("T10000B").worm && f("T10000A").encryption);
    assert!(f("T10000A").load_display && f("T10000A").vendor_request_sense);
    assert!(f("T9840C").load_display && !f("T9840C").vendor_request_sense);
    assert!(!f("03592J1A").encryption && f("03592E05").encryption);
    assert!(!f("DLT7000").persistent_reservation && f("SDLT600").worm);
    assert!(f("SDX-900V").worm && !f("SDX-700C").worm);
    // READ BLOCK LIMITS.
    let t = f("T10000C");
    assert_eq!(
        (t.max_block_size, t.min_block_size, t.granularity),
        (2_097_152, 1, 0)
    );
    let d = f("DLT7000");
    assert_eq!(
        (d.max_block_size, d.min_block_size, d.granularity),
        (16_777_214, 2, 1)
    );
    // Encryption mode page only where SP is supported; LBP page only with LBP.
    for p in Personality::all() {
        assert_eq!(
            p.mode_pages.contains(&(0x30, 0x20)),
            p.encryption,
            "{}",
            p.name
        );
        assert_eq!(
            p.mode_pages.contains(&(0x0a, 0xf0)),
            p.lbp != Lbp::None,
            "{}",
            p.name
        );
        assert_eq!(
            p.vpd_pages.contains(&0xb5),
            p.lbp != Lbp::None,
            "{}",
            p.name
        );
        assert_eq!(p.mode_pages.contains(&(0x1d, 0)), p.worm, "{}", p.name);
    }
}

#[test]
fn media_access_matrix() {
    use MediaAccess::*;
    use MediumType::{Cleaning, Data, Null, Worm};
    // LTO-8: LTO7 and LTO8 only.
    let lto8 = ["LTO6", "LTO7", "LTO8", "LTO9"].map(|m| access("ULT3580-TD8", m, Data));
    assert_eq!(lto8, [Refused, ReadWrite, ReadWrite, Refused]);
    // LTO-6: LTO4 read-only, LTO3 refused.
    let lto6 = ["LTO3", "LTO4", "LTO5", "LTO6", "LTO7"].map(|m| access("ULTRIUM-HH6", m, Data));
    assert_eq!(lto6, [Refused, ReadOnly, ReadWrite, ReadWrite, Refused]);
    // LTO-9 writes LTO8 and LTO9; LTO-10 only LTO10.
    let lto9 = ["LTO7", "LTO8", "LTO9", "LTO10"].map(|m| access("ULT3580-TD9", m, Data));
    assert_eq!(lto9, [Refused, ReadWrite, ReadWrite, Refused]);
    let lto10 = ["LTO8", "LTO9", "LTO10"].map(|m| access("ULT3580-TD10", m, Data));
    assert_eq!(lto10, [Refused, Refused, ReadWrite]);
    // WORM: refused without WORM support, else follows the lists.
    assert_eq!(access("ULT3580-TD2", "LTO2", Worm), Refused);
    assert_eq!(access("ULT3580-TD3", "LTO3", Worm), ReadWrite);
    assert_eq!(access("Ultrium 6-SCSI", "LTO4", Worm), ReadOnly);
    assert_eq!(access("Ultrium 7-SCSI", "LTO5", Worm), ReadOnly);
    assert_eq!(access("VTL", "LTO8", Worm), Refused);
    // Cleaning cartridges of a supported generation load read-only; others are refused.
    assert_eq!(access("ULT3580-TD8", "LTO8", Cleaning), ReadOnly);
    assert_eq!(access("ULT3580-TD8", "LTO7", Cleaning), ReadOnly);
    assert_eq!(access("ULT3580-TD8", "LTO6", Cleaning), Refused);
    // NULL behaves like data.
    assert_eq!(access("ULT3580-TD5", "LTO4", Null), ReadWrite);
    assert_eq!(access("ULT3580-TD5", "LTO3", Null), ReadOnly);
    assert_eq!(access("ULT3580-TD5", "LTO5", MediumType::Other(9)), Refused);
    // mhvtl's 9940A bug is fixed; 9940B reads and writes both.
    assert_eq!(access("T9940A", "9940A", Data), ReadWrite);
    assert_eq!(access("T9940A", "9840A", Data), Refused);
    assert_eq!(access("T9940B", "9940A", Data), ReadWrite);
    // 9840, AIT, DLT, SDLT, T10000, 3592 lists.
    assert_eq!(access("T9840D", "9840B", Data), ReadOnly);
    assert_eq!(access("T9840D", "9840C", Data), ReadWrite);
    assert_eq!(access("SDX-900V", "AIT2", Data), ReadOnly);
    assert_eq!(access("SDX-900V", "AIT1", Data), Refused);
    assert_eq!(access("SDX-900V", "AIT4", Worm), ReadWrite);
    assert_eq!(access("DLT7000", "DLT3", Data), ReadOnly);
    assert_eq!(access("SDLT 320", "SDLT1", Data), ReadOnly);
    assert_eq!(access("SDLT600", "SDLT220", Data), ReadOnly);
    assert_eq!(access("SDLT600", "SDLT600", Worm), ReadWrite);
    assert_eq!(access("SDLT 320", "SDLT320", Worm), Refused);
    assert_eq!(access("T10000B", "T10KC", Data), Refused);
    assert_eq!(access("T10000C", "T10KA", Data), ReadWrite);
    assert_eq!(access("03592E07", "J1A", Data), Refused);
    assert_eq!(access("03592E07", "E05", Data), ReadWrite);
    // Default: every format read-write.
    for d in vtltape::density::MEDIA_DENSITIES {
        assert_eq!(access("VTL", d.name, Data), ReadWrite, "{}", d.name);
    }
}

#[test]
fn medium_type_codes() {
    let ibm = Personality::for_product("ULT3580-TD8");
    let hp = Personality::for_product("Ultrium 8-SCSI");
    let code = |p: &Personality, n: &str, t| p.medium_type_code(&media(n, t));
    assert_eq!(code(ibm, "LTO8", MediumType::Data), 0x88);
    assert_eq!(code(ibm, "LTO7", MediumType::Data), 0x78);
    assert_eq!(code(ibm, "LTO8", MediumType::Worm), 0x8c);
    assert_eq!(code(ibm, "LTO8", MediumType::Cleaning), 0x88);
    assert_eq!(
        code(
            Personality::for_product("ULT3580-TD10"),
            "LTO10",
            MediumType::Data
        ),
        0xa8
    );
    assert_eq!(
        code(
            Personality::for_product("ULT3580-TD3"),
            "LTO3",
            MediumType::Worm
        ),
        0x3c
    );
    assert_eq!(code(hp, "LTO8", MediumType::Data), 0x00);
    assert_eq!(code(hp, "LTO8", MediumType::Worm), 0x01);
    assert_eq!(code(hp, "LTO8", MediumType::Cleaning), 0x80);
    let dlt = Personality::for_product("DLT7000");
    assert_eq!(code(dlt, "DLT3", MediumType::Data), 0x81);
    assert_eq!(code(dlt, "DLT4", MediumType::Data), 0x83);
    let sdlt = Personality::for_product("SDLT600");
    assert_eq!(code(sdlt, "SDLT320", MediumType::Data), 0x84);
    assert_eq!(code(sdlt, "SDLT600", MediumType::Data), 0x85);
    assert_eq!(
        code(
            Personality::for_product("T10000C"),
            "T10KC",
            MediumType::Data
        ),
        0
    );
}

/// A density support data block descriptor as SSC-5 6.4.2 lays it out, written field by
/// field here independently of the crate.
#[allow(clippy::too_many_arguments)]
fn ssc_descriptor(
    code: u8,
    wrtok: bool,
    deflt: bool,
    bpmm: u32,
    tracks: u16,
    cap_mb: u32,
    name: &[u8; 8],
    desc: &[u8; 20],
) -> Vec<u8> {
    let mut v = vec![code, code];
    v.push(if wrtok { 0x80 } else { 0 } | if deflt { 0x20 } else { 0 } | 0x01);
    v.extend_from_slice(&[0x00, 0x2f]); // DESCRIPTOR LENGTH: 47 bytes follow
    v.extend_from_slice(&bpmm.to_be_bytes()[1..]);
    v.extend_from_slice(&127u16.to_be_bytes()); // MEDIA WIDTH 12.7 mm
    v.extend_from_slice(&tracks.to_be_bytes());
    v.extend_from_slice(&cap_mb.to_be_bytes());
    v.extend_from_slice(b"LTO-CVE ");
    v.extend_from_slice(name);
    v.extend_from_slice(desc);
    assert_eq!(v.len(), 52);
    v
}

#[test]
fn report_density_support_ibm_lto6_bytes() {
    let p = Personality::for_product("ULT3580-TD6");
    // No medium: LTO4 (read-only), LTO5, LTO6; DEFLT on the drive's own LTO6.
    let got = p.density_support(false, None);
    let mut want = vec![0x00, 3 * 52 + 2, 0x00, 0x00];
    want.extend(ssc_descriptor(
        0x46,
        false,
        false,
        12725,
        896,
        800_000,
        b"U-416   ",
        b"Ultrium 4/16T       ",
    ));
    want.extend(ssc_descriptor(
        0x58,
        true,
        false,
        15142,
        1280,
        1_500_000,
        b"U-516   ",
        b"Ultrium 5/16T       ",
    ));
    want.extend(ssc_descriptor(
        0x5a,
        true,
        true,
        15142,
        2176,
        2_500_000,
        b"U-616   ",
        b"Ultrium 6/16T       ",
    ));
    assert_eq!(got, want);

    // An LTO5 cartridge loaded: DEFLT moves to 0x58 (LTO4 stays read-only: WRTOK clear).
    let m5 = media("LTO5", MediumType::Data);
    let got = p.density_support(false, Some(&m5));
    assert_eq!(got[4 + 2], 0x01);
    assert_eq!(got[4 + 52 + 2], 0xa1);
    assert_eq!(got[4 + 104 + 2], 0x81);

    // MEDIA = 1: only the loaded medium, capacity from its MAM (here native 1.5 TB).
    let got = p.density_support(true, Some(&m5));
    let mut want = vec![0x00, 54, 0x00, 0x00];
    want.extend(ssc_descriptor(
        0x58,
        true,
        true,
        15142,
        1280,
        1_500_000,
        b"U-516   ",
        b"Ultrium 5/16T       ",
    ));
    assert_eq!(got, want);
    // An LTO4 cartridge is read-only there: WRTOK clear.
    let got = p.density_support(true, Some(&media("LTO4", MediumType::Data)));
    assert_eq!(got[6], 0x21);
    // No medium, or a refused one: header only.
    assert_eq!(p.density_support(true, None), [0, 2, 0, 0]);
    assert_eq!(
        p.density_support(true, Some(&media("LTO8", MediumType::Data))),
        [0, 2, 0, 0]
    );
    // report_density_support dispatches on MEDIUM TYPE.
    assert_eq!(
        p.report_density_support(false, false, None),
        p.density_support(false, None)
    );
}

#[test]
fn report_density_support_shared_codes_are_reported_once() {
    // T9840B handles 9840A and 9840B media, both density 0x42.
    let got = Personality::for_product("T9840B").density_support(false, None);
    assert_eq!(got.len(), 4 + 52);
    assert_eq!(&got[4..7], &[0x42, 0x42, 0xa1]);
    // The default personality reports every distinct code, ascending.
    let got = Personality::for_product("VTL").density_support(false, None);
    let codes: Vec<u8> = got[4..].chunks(52).map(|c| c[0]).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:x?}");
    assert_eq!(
        usize::from(u16::from_be_bytes([got[0], got[1]])),
        got.len() - 2
    );
}

#[test]
fn report_medium_types() {
    let p = Personality::for_product("ULT3580-TD8");
    let got = p.medium_type_support(false, None);
    // LTO7 data + WORM, LTO8 data + WORM.
    let types: Vec<u8> = got[4..].chunks(56).map(|c| c[0]).collect();
    assert_eq!(types, [0x78, 0x7c, 0x88, 0x8c]);
    assert_eq!(u16::from_be_bytes([got[0], got[1]]), 4 * 56 + 2);
    let d = &got[4 + 56 * 2..4 + 56 * 3];
    assert_eq!(&d[..6], &[0x88, 0, 0x00, 0x34, 1, 0x5e]);
    assert_eq!(&d[14..18], &[0x00, 0x7f, 0x03, 0xc0]); // 12.7 mm, 960 m
    assert_eq!(&d[20..36], b"LTO-CVE LTO-8   ");
    let got = p.medium_type_support(true, Some(&media("LTO7", MediumType::Worm)));
    assert_eq!(got.len(), 4 + 56);
    assert_eq!(got[4], 0x7c);
    // HP reports one data type per format (WORM shares nothing with IBM's numbering).
    let hp = Personality::for_product("Ultrium 8-SCSI").medium_type_support(false, None);
    let types: Vec<u8> = hp[4..].chunks(56).map(|c| c[0]).collect();
    assert_eq!(types, [0x00, 0x01, 0x00, 0x01]);
}

/// A JSON string field of the manifest (the manifest's value type is not named here:
/// serde_json is not a dependency of this crate).
macro_rules! s {
    ($e:expr) => {
        $e.as_str().unwrap()
    };
}

/// Every fixture tape identifies as the density its mktape command named.
#[test]
fn every_fixture_tape_identifies() {
    let Some(root) = libvtlcart::testing::fixtures() else {
        println!("skipped: mhvtl fixtures not available");
        return;
    };
    let m = libvtlcart::testing::manifest(&root);
    let tapes = m["tapes"].as_array().unwrap();
    assert!(tapes.len() >= 90);
    let mut checked = 0;
    for t in tapes {
        let id = s!(t["id"]);
        let cmd = t["made_by"]["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| s!(c["cmd"]))
            .find(|c| c.contains("mktape"))
            .unwrap_or_else(|| panic!("{id}: no mktape command"));
        let want = cmd
            .split_whitespace()
            .skip_while(|w| *w != "-d")
            .nth(1)
            .unwrap();
        let c = Cartridge::open(&root.join(s!(t["path"])), &OpenOptionsCart::default())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let got = Media::identify(c.mam());
        if want == "BOGUS" {
            assert!(got.is_none(), "{id}: {got:?}");
            continue;
        }
        let got = got.unwrap_or_else(|| panic!("{id}: not identified"));
        assert_eq!(got.density.name, want, "{id}");
        assert_eq!(got.identified_by, IdentifiedBy::MediaType, "{id}");
        assert_eq!(
            got.medium_type.to_byte(),
            t["mam"]["medium_type"].as_u64().unwrap() as u8,
            "{id}"
        );
        assert_eq!(
            got.density.mam_density_name,
            s!(t["mam"]["density_name"]).trim(),
            "{id}"
        );
        checked += 1;
    }
    assert!(checked >= 90, "{checked}");
}

/// The fixture WORM and cleaning cartridges against a few drives.
#[test]
fn fixture_worm_and_cleaning_cartridges_load_as_specified() {
    let Some(root) = libvtlcart::testing::fixtures() else {
        println!("skipped: mhvtl fixtures not available");
        return;
    };
    let open = |p: &str| {
        let c = Cartridge::open(&root.join(p), &OpenOptionsCart::default()).unwrap();
        Media::identify(c.mam()).unwrap()
    };
    let worm7 = open("legacy/FXWRM1L7");
    assert!(worm7.is_worm());
    assert_eq!(access_of("ULT3580-TD7", &worm7), MediaAccess::ReadWrite);
    assert_eq!(access_of("ULT3580-TD8", &worm7), MediaAccess::ReadWrite);
    assert_eq!(access_of("ULT3580-TD9", &worm7), MediaAccess::Refused);
    assert_eq!(access_of("VTL", &worm7), MediaAccess::Refused);
    let cln8 = open("v6/FXCLN1L8");
    assert!(cln8.is_cleaning());
    assert_eq!(access_of("ULT3580-TD8", &cln8), MediaAccess::ReadOnly);
    assert_eq!(access_of("Ultrium 8-SCSI", &cln8), MediaAccess::ReadOnly);
    assert_eq!(access_of("ULT3580-TD7", &cln8), MediaAccess::Refused);
}

fn access_of(product: &str, m: &Media) -> MediaAccess {
    Personality::for_product(product).media_access(m)
}
