//! How a cartridge's MAM is shown: the `--show` text, the `--json` document and the list of
//! fields that `-v` compares before and after an edit.

use std::fmt::Write as _;

use libvtlcart::mam::{Attribute, FLAG_ENCRYPTION_FORMAT, MAM_FMT_TLV, field_str};
use libvtlcart::{Cartridge, DENSITIES, Density, Mam, MediaType, MediumType};
use serde_json::{Value, json};

const MIB: u64 = 1 << 20;

/// One field of the MAM as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// `0x0001 MAXIMUM CAPACITY IN PARTITION` for attributes, `mhvtl <name>` for mhvtl's own.
    pub label: String,
    /// Human rendering of the value.
    pub text: String,
    /// JSON rendering of the value.
    pub json: Value,
}

/// True when the MAM is stored as TLV (v6 `mam` file, MAM format 4).
pub fn is_tlv(m: &Mam) -> bool {
    m.base.mam_fmt_version.get() == MAM_FMT_TLV
}

/// The density table row the MAM describes: MediaType and density code both match, else
/// MediaType alone (3592 drives rewrite the density code), else none.
pub fn current_density(m: &Mam) -> Option<&'static Density> {
    let b = &m.base;
    DENSITIES
        .iter()
        .find(|d| d.media_type.0 == b.media_type && d.density_code == b.medium_density_code)
        .or_else(|| Density::by_media_type(MediaType(b.media_type)))
}

fn bytes_text(n: u64) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{n} ({} MiB)", n / MIB)
    } else {
        n.to_string()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Render one attribute's value (text, JSON).
fn attribute_value(a: &Attribute<'_>) -> (String, Value) {
    if let Some(t) = a.text() {
        return (t.clone(), Value::String(t));
    }
    let Some(n) = a.number() else {
        // A binary byte string (VOLUME COHERENCY INFORMATION).
        if a.value.iter().all(|&b| b == 0) {
            return ("(none)".into(), Value::Null);
        }
        let h = hex(a.value);
        return (h.clone(), Value::String(h));
    };
    let text = match a.id {
        0x0000 | 0x0001 | 0x0004 | 0x0407 => bytes_text(n),
        0x0002 => format!("0x{n:016x}"),
        0x0006 | 0x0405 => format!("0x{n:02x}"),
        0x0408 => format!("{n} ({})", MediumType::from_byte(n as u8).name()),
        0x0220..=0x0223 => format!("{n} MiB"),
        _ => n.to_string(),
    };
    (text, json!(n))
}

/// Every field shown for `m`: the MAM attributes its encoding stores, then mhvtl's own fields.
pub fn fields(m: &Mam) -> Vec<Field> {
    let mut out: Vec<Field> = m
        .attributes()
        .iter()
        .map(|a| {
            let (text, json) = attribute_value(a);
            Field {
                label: format!("0x{:04x} {}", a.id, a.name),
                text,
                json,
            }
        })
        .collect();
    let b = &m.base;
    let flags = m.flags();
    let mut flag_names = Vec::new();
    if flags & FLAG_ENCRYPTION_FORMAT != 0 {
        flag_names.push("encryption format");
    }
    if m.write_protected() {
        flag_names.push("write protected");
    }
    let mt = m.media_type();
    let mut private = vec![
        (
            "MediaType",
            format!("{} ({mt})", b.media_type),
            json!(b.media_type),
        ),
        (
            "Flags",
            if flag_names.is_empty() {
                format!("0x{flags:04x}")
            } else {
                format!("0x{flags:04x} ({})", flag_names.join(", "))
            },
            json!(flags),
        ),
        (
            "record_dirty",
            b.record_dirty.to_string(),
            json!(b.record_dirty),
        ),
        (
            "max_partitions",
            b.max_partitions.to_string(),
            json!(b.max_partitions),
        ),
        (
            "num_partitions",
            b.num_partitions.to_string(),
            json!(b.num_partitions),
        ),
        (
            "bits_per_mm",
            b.bits_per_mm.get().to_string(),
            json!(b.bits_per_mm.get()),
        ),
        ("tracks", b.tracks.get().to_string(), json!(b.tracks.get())),
    ];
    for (name, bytes) in [
        ("density_name", &b.density_name[..]),
        ("description", &b.description[..]),
    ] {
        let s = field_str(bytes);
        private.push((name, s.clone(), json!(s)));
    }
    if is_tlv(m) {
        for (p, name) in [
            "partition_capacity[0]",
            "partition_capacity[1]",
            "partition_capacity[2]",
            "partition_capacity[3]",
        ]
        .into_iter()
        .enumerate()
        {
            let c = m.partition_capacity(p);
            private.push((name, bytes_text(c), json!(c)));
        }
    }
    out.extend(private.into_iter().map(|(name, text, json)| Field {
        label: format!("mhvtl {name}"),
        text,
        json,
    }));
    out
}

/// What differs between two renderings of the same cartridge's MAM: (label, old, new).
pub fn diff(before: &[Field], after: &[Field]) -> Vec<(String, String, String)> {
    before
        .iter()
        .zip(after)
        .filter(|(a, b)| a.json != b.json || a.text != b.text)
        .map(|(a, b)| (a.label.clone(), a.text.clone(), b.text.clone()))
        .collect()
}

/// Who holds the cartridge, if anyone (see [`libvtlcart::lockinfo::lock_holder`]).
fn in_use_by(cart: &Cartridge) -> Option<String> {
    libvtlcart::lockinfo::lock_holder(cart.dir())
}

/// The `--show` text for one cartridge.
pub fn text(pcl: &str, cart: &Cartridge) -> String {
    let m = cart.mam();
    let b = &m.base;
    let mut s = String::new();
    let _ = writeln!(s, "Cartridge {pcl}: {}", cart.dir().display());
    let _ = writeln!(
        s,
        "Format: {} (tape format {}, MAM format {})",
        cart.format().name(),
        b.tape_fmt_version.get(),
        b.mam_fmt_version.get()
    );
    let _ = writeln!(
        s,
        "Density: {}",
        current_density(m).map_or("unknown (not in the density table)", |d| d.name)
    );
    if let Some(who) = in_use_by(cart) {
        let _ = writeln!(s, "In use by: {who}");
    }
    let fields = fields(m);
    let width = fields.iter().map(|f| f.label.len()).max().unwrap_or(0);
    let _ = writeln!(s, "MAM attributes:");
    let mut in_private = false;
    for f in &fields {
        if !in_private && f.label.starts_with("mhvtl ") {
            let _ = writeln!(s, "mhvtl fields:");
            in_private = true;
        }
        let label = f.label.strip_prefix("mhvtl ").unwrap_or(&f.label);
        let value = f.text.trim_end();
        if value.is_empty() {
            let _ = writeln!(s, "  {label:<width$} :");
        } else {
            let _ = writeln!(s, "  {label:<width$} : {value}");
        }
    }
    let _ = writeln!(s, "Partitions:");
    for n in 0..cart.partition_count() {
        if let Some(p) = cart.partition(n) {
            let _ = writeln!(
                s,
                "  {n}: {} objects, {} filemarks, {} bytes used of {}, {} bytes remaining ({})",
                p.eod(),
                p.filemarks().len(),
                p.eod_data_offset(),
                cart.capacity(n),
                cart.remaining(n),
                p.paths()[0].display()
            );
        }
    }
    s
}

/// The `--json` document for one cartridge; `changes` is what this run changed.
pub fn json(pcl: &str, cart: &Cartridge, changes: &[(String, String, String)]) -> Value {
    let m = cart.mam();
    let b = &m.base;
    let attributes: Vec<Value> = m
        .attributes()
        .iter()
        .map(|a| {
            let (_, value) = attribute_value(a);
            json!({
                "id": format!("0x{:04x}", a.id),
                "name": a.name,
                "format": a.format.name(),
                "length": a.value.len(),
                "value": value,
            })
        })
        .collect();
    let mut mhvtl = serde_json::Map::new();
    for f in fields(m) {
        if let Some(name) = f.label.strip_prefix("mhvtl ") {
            mhvtl.insert(
                name.replace(['[', ']'], "_").trim_end_matches('_').into(),
                f.json,
            );
        }
    }
    mhvtl.insert("write_protected".into(), json!(m.write_protected()));
    mhvtl.insert("media_type_name".into(), json!(m.media_type().to_string()));
    mhvtl.insert("medium_type_name".into(), json!(m.medium_type().name()));
    mhvtl.insert("density".into(), json!(current_density(m).map(|d| d.name)));
    let partitions: Vec<Value> = (0..cart.partition_count())
        .filter_map(|n| cart.partition(n).map(|p| (n, p)))
        .map(|(n, p)| {
            json!({
                "number": n,
                "data_file": p.paths()[0],
                "objects": p.eod(),
                "filemarks": p.filemarks().len(),
                "bytes_used": p.eod_data_offset(),
                "capacity": cart.capacity(n),
                "remaining": cart.remaining(n),
            })
        })
        .collect();
    json!({
        "pcl": pcl,
        "directory": cart.dir(),
        "format": cart.format().name(),
        "tape_format_version": b.tape_fmt_version.get(),
        "mam_format_version": b.mam_fmt_version.get(),
        "in_use_by": in_use_by(cart),
        "changes": changes
            .iter()
            .map(|(f, o, n)| json!({ "field": f, "old": o, "new": n }))
            .collect::<Vec<_>>(),
        "attributes": attributes,
        "mhvtl": mhvtl,
        "partitions": partitions,
    })
}
