//! Every mhvtl fixture tape, read through libvtlcart and compared record by record, payload
//! hash by payload hash, with manifest.json (which was computed independently of mhvtl and of
//! this crate).

mod common;

use libvtlcart::{Cartridge, Format, Object, OpenOptionsCart, mam::field_str};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}
fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn every_fixture_tape_matches_the_manifest() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let m = common::manifest(&root);
    let tapes = m["tapes"].as_array().unwrap();
    assert!(tapes.len() >= 90, "manifest lists {} tapes", tapes.len());
    let mut blocks_checked = 0;
    for t in tapes {
        let id = s(&t["id"]);
        let dir = root.join(s(&t["path"]));
        let c = Cartridge::open(&dir, &OpenOptionsCart::default())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let want_format = if s(&t["layout"]) == "legacy" {
            Format::Legacy
        } else {
            Format::V6
        };
        assert_eq!(c.format(), want_format, "{id}");

        // MAM, decoded with each field's byte order.
        let mm = &t["mam"];
        let b = &c.mam().base;
        let checks: Vec<(&str, u64)> = vec![
            ("tape_fmt_version", u64::from(b.tape_fmt_version.get())),
            ("mam_fmt_version", u64::from(b.mam_fmt_version.get())),
            ("media_type", u64::from(b.media_type)),
            ("medium_type", u64::from(b.medium_type)),
            ("medium_density_code", u64::from(b.medium_density_code)),
            (
                "formatted_density_code",
                u64::from(b.formatted_density_code),
            ),
            ("max_capacity", b.max_capacity.get()),
            ("remaining_capacity", b.remaining_capacity.get()),
            ("mam_capacity", b.mam_capacity.get()),
            ("mam_space_remaining", b.mam_space_remaining.get()),
            ("load_count", b.load_count.get()),
            ("flags", u64::from(b.flags.get())),
            (
                "medium_type_information",
                u64::from(b.medium_type_information.get()),
            ),
            ("bits_per_mm", u64::from(b.bits_per_mm.get())),
            ("tracks", u64::from(b.tracks.get())),
            ("medium_length", u64::from(b.medium_length.get())),
            ("medium_width", u64::from(b.medium_width.get())),
            ("record_dirty", u64::from(b.record_dirty)),
            ("max_partitions", u64::from(b.max_partitions)),
            ("num_partitions", u64::from(b.num_partitions)),
        ];
        for (k, got) in checks {
            assert_eq!(got, u(&mm[k]), "{id}: mam.{k}");
        }
        let strs: Vec<(&str, String)> = vec![
            ("description", field_str(&b.description)),
            ("density_name", field_str(&b.density_name)),
            (
                "assigning_organization_1",
                field_str(&b.assigning_organization_1),
            ),
            ("medium_manufacturer", field_str(&b.medium_manufacturer)),
            ("medium_serial_number", field_str(&b.medium_serial_number)),
            (
                "medium_manufacture_date",
                field_str(&b.medium_manufacture_date),
            ),
            ("application_vendor", field_str(&b.application_vendor)),
            ("application_version", field_str(&b.application_version)),
            ("barcode_field", field_str(&b.barcode)),
        ];
        for (k, got) in strs {
            assert_eq!(got, s(&mm[k]), "{id}: mam.{k}");
        }
        assert_eq!(c.mam().barcode(), s(&mm["barcode"]), "{id}");
        assert_eq!(
            c.mam().write_protected(),
            mm["write_protected"] == true,
            "{id}"
        );

        let parts = t["partitions"].as_array().unwrap();
        assert_eq!(c.partition_count() as usize, parts.len(), "{id}");
        let mut buf = Vec::new();
        for p in parts {
            let n = u(&p["partition"]) as u32;
            let part = c.partition(n).unwrap();
            let fms: Vec<u32> = p["filemarks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| u(v) as u32)
                .collect();
            assert_eq!(part.filemarks(), &fms[..], "{id} p{n}: filemarks");
            assert_eq!(u64::from(part.eod()), u(&p["eod_block"]), "{id} p{n}: EOD");
            assert_eq!(
                part.eod_data_offset(),
                u(&p["eod_data_offset"]),
                "{id} p{n}: EOD data offset"
            );
            for r in p["records"].as_array().unwrap() {
                let blk = u(&r["n"]) as u32;
                let rec = c.record(n, blk).unwrap();
                assert_eq!(u64::from(rec.blk_type.get()), u(&r["type"]), "{id} {blk}");
                assert_eq!(u64::from(rec.blk_flags.get()), u(&r["flags"]), "{id} {blk}");
                assert_eq!(
                    u64::from(rec.blk_size.get()),
                    u(&r["blk_size"]),
                    "{id} {blk}"
                );
                assert_eq!(
                    u64::from(rec.disk_blk_size.get()),
                    u(&r["disk_blk_size"]),
                    "{id} {blk}"
                );
                assert_eq!(
                    format!("{:08x}", rec.uncomp_crc.get()),
                    s(&r["crc"]),
                    "{id} {blk}"
                );
                assert_eq!(rec.offset(), u(&r["data_offset"]), "{id} {blk}");
                assert_eq!(
                    u64::from(rec.key_length.get()),
                    u(&r["key_length"]),
                    "{id} {blk}"
                );
                assert_eq!(
                    u64::from(rec.ukad_length.get()),
                    u(&r["ukad_length"]),
                    "{id} {blk}"
                );
                if let Some(k) = r["key"].as_str() {
                    let hex: String = rec.key.iter().map(|b| format!("{b:02x}")).collect();
                    assert_eq!(hex, k, "{id} {blk}: key");
                    let hex: String = rec.ukad.iter().map(|b| format!("{b:02x}")).collect();
                    assert_eq!(hex, s(&r["ukad"]), "{id} {blk}: ukad");
                }
                match c.read_at(n, blk, &mut buf).unwrap() {
                    Object::Data(info) => {
                        assert_eq!(s(&r["type_name"]), "data", "{id} {blk}");
                        match r["payload_sha256"].as_str() {
                            Some(h) => {
                                assert!(info.payload_present);
                                let got = format!("{:x}", Sha256::digest(&buf));
                                assert_eq!(got, h, "{id} {blk}: payload");
                                blocks_checked += 1;
                            }
                            None => assert!(!info.payload_present, "{id} {blk}: NULL media"),
                        }
                    }
                    Object::Filemark => assert_eq!(s(&r["type_name"]), "filemark"),
                    Object::EndOfData => panic!("{id} {blk}: EOD inside the index"),
                }
            }
        }
    }
    assert!(
        blocks_checked > 100,
        "only {blocks_checked} payloads checked"
    );
}

#[test]
fn fixture_tapes_read_sequentially_like_a_drive() {
    let Some(root) = common::fixtures() else {
        return;
    };
    // FXMIX1L8: raw/lzo/zlib/encrypted blocks and filemarks [3, 4, 8, 11, 12], EOD 14.
    for fmt in ["legacy", "v6"] {
        let dir = root.join(fmt).join("FXMIX1L8");
        let mut c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
        let mut buf = Vec::new();
        let mut kinds = String::new();
        loop {
            match c.read(&mut buf).unwrap() {
                Object::Data(_) => kinds.push('D'),
                Object::Filemark => kinds.push('F'),
                Object::EndOfData => break,
            }
        }
        assert_eq!(kinds, "DDDFFDDDFDDFFD", "{fmt}");
        assert!(c.position().eod);
        assert_eq!(c.position().file_number, 5);
    }
}

#[test]
fn half_migrated_tape_is_read_with_its_own_file_names() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let c = Cartridge::open(&root.join("v6/FXMIG1L8"), &OpenOptionsCart::default()).unwrap();
    assert_eq!(c.mam().base.tape_fmt_version.get(), 5);
    assert!(!c.layout().suffixed);
    assert_eq!(c.format(), Format::V6);
    assert_eq!(c.partition(0).unwrap().filemarks(), &[2, 5]);
}
