//! The Rust mirror (`vtl_kernel::uapi`) against the text of kernel-module/vtl_uapi.h: every
//! `#define` has a constant of the same name and value, every structure the same fields at
//! the same offsets with the same sizes, as a C compiler lays them out. Editing either side
//! alone fails here.

use std::collections::BTreeMap;

use vtl_kernel::uapi::{self, VtlAddLu, VtlInfo, VtlLuAddr, VtlMsg, VtlReply};
use zerocopy::FromZeros;

const HEADER: &str = include_str!("../../../kernel-module/vtl_uapi.h");

/// A field as C lays it out: name, offset, size in bytes.
type Field = (String, usize, usize);

/// A structure as C lays it out.
#[derive(Debug, Clone, PartialEq)]
struct CStruct {
    fields: Vec<Field>,
    size: usize,
    align: usize,
}

/// The header without comments.
fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b..].find("*/").expect("unterminated comment") + b + 2;
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = &rest[l..];
                rest = rest.find('\n').map_or("", |n| &rest[n..]);
            }
            (None, None) => {
                out.push_str(rest);
                return out;
            }
            (Some(_), None) => unreachable!(),
        }
    }
}

fn tokens(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let cs: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            out.push(cs[i..i + 3].iter().collect());
            i += 3;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '_') {
                i += 1;
            }
            out.push(cs[start..i].iter().collect());
        } else if c == '<' && cs.get(i + 1) == Some(&'<') {
            out.push("<<".into());
            i += 2;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

/// Evaluator of the constant expressions the header uses: integers (decimal, hex, U
/// suffix), character constants, earlier defines, `<<`, `|`, parentheses, `_IO`, `_IOR`,
/// `_IOW`, `_IOWR` with `struct name` sizes.
struct Eval<'a> {
    toks: Vec<String>,
    pos: usize,
    defines: &'a BTreeMap<String, u64>,
    structs: &'a BTreeMap<String, CStruct>,
}

impl Eval<'_> {
    fn next(&mut self) -> String {
        let t = self.toks[self.pos].clone();
        self.pos += 1;
        t
    }
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(String::as_str)
    }
    fn expect(&mut self, t: &str) {
        assert_eq!(self.next(), t);
    }
    fn or_expr(&mut self) -> u64 {
        let mut v = self.shift_expr();
        while self.peek() == Some("|") {
            self.next();
            v |= self.shift_expr();
        }
        v
    }
    fn shift_expr(&mut self) -> u64 {
        let mut v = self.primary();
        while self.peek() == Some("<<") {
            self.next();
            v <<= self.primary();
        }
        v
    }
    fn primary(&mut self) -> u64 {
        let t = self.next();
        if t == "(" {
            let v = self.or_expr();
            self.expect(")");
            return v;
        }
        if let Some(c) = t.strip_prefix('\'') {
            return u64::from(c.as_bytes()[0]);
        }
        if t.as_bytes()[0].is_ascii_digit() {
            let digits = t.trim_end_matches(['U', 'u', 'L', 'l']);
            return match digits.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).unwrap(),
                None => digits.parse().unwrap(),
            };
        }
        let dir = match t.as_str() {
            "_IO" => Some(0),
            "_IOW" => Some(1),
            "_IOR" => Some(2),
            "_IOWR" => Some(3),
            _ => None,
        };
        if let Some(dir) = dir {
            // asm-generic/ioctl.h: nr bits 0..8, type 8..16, size 16..30, dir 30..32.
            self.expect("(");
            let ty = self.or_expr();
            self.expect(",");
            let nr = self.or_expr();
            let mut size = 0;
            if dir != 0 {
                self.expect(",");
                self.expect("struct");
                let name = self.next();
                size = self.structs[&name].size as u64;
            }
            self.expect(")");
            return (dir << 30) | (size << 16) | (ty << 8) | nr;
        }
        *self
            .defines
            .get(&t)
            .unwrap_or_else(|| panic!("unknown name {t} in a #define"))
    }
}

fn eval(expr: &str, defines: &BTreeMap<String, u64>, structs: &BTreeMap<String, CStruct>) -> u64 {
    let mut e = Eval {
        toks: tokens(expr),
        pos: 0,
        defines,
        structs,
    };
    let v = e.or_expr();
    assert_eq!(e.pos, e.toks.len(), "trailing tokens in {expr}");
    v
}

/// Size (and alignment) of a C type of the header.
fn c_type_size(ty: &str) -> usize {
    match ty {
        "__u8" | "char" => 1,
        "__u16" => 2,
        "__u32" => 4,
        "__u64" => 8,
        _ => panic!("type {ty} not handled"),
    }
}

/// The #defines (name → value; the include guard left out) and structures of the header.
fn parse_header() -> (BTreeMap<String, u64>, BTreeMap<String, CStruct>) {
    parse(HEADER)
}

/// The #defines and structures of header text `header`.
fn parse(header: &str) -> (BTreeMap<String, u64>, BTreeMap<String, CStruct>) {
    let text = strip_comments(header);
    let mut defines = BTreeMap::new();
    let mut structs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if let Some(def) = line.strip_prefix("#define") {
            let def = def.trim();
            let (name, value) = def.split_once(char::is_whitespace).unwrap_or((def, ""));
            if value.trim().is_empty() {
                continue; // the include guard
            }
            let v = eval(value, &defines, &structs);
            defines.insert(name.to_string(), v);
        } else if let Some(head) = line.strip_prefix("struct ") {
            let name = head.trim_end_matches('{').trim().to_string();
            let (mut off, mut align) = (0usize, 1usize);
            let mut fields = Vec::new();
            for l in lines.by_ref() {
                let l = l.trim();
                if l.starts_with('}') {
                    break;
                }
                if l.is_empty() {
                    continue;
                }
                let decl = l.strip_suffix(';').expect("field ends with ;");
                let (ty, rest) = decl.split_once(char::is_whitespace).unwrap();
                let rest = rest.trim();
                let (fname, count) = match rest.split_once('[') {
                    Some((n, dim)) => {
                        let dim = dim.strip_suffix(']').unwrap();
                        (n.trim(), eval(dim, &defines, &structs) as usize)
                    }
                    None => (rest, 1),
                };
                let esize = c_type_size(ty);
                off = off.next_multiple_of(esize);
                fields.push((fname.to_string(), off, esize * count));
                off += esize * count;
                align = align.max(esize);
            }
            let size = off.next_multiple_of(align);
            structs.insert(
                name,
                CStruct {
                    fields,
                    size,
                    align,
                },
            );
        }
    }
    (defines, structs)
}

macro_rules! fields {
    ($t:ty: $($f:ident),* $(,)?) => {{
        let z = <$t>::new_zeroed();
        vec![$((
            stringify!($f).trim_start_matches("r#").to_string(),
            std::mem::offset_of!($t, $f),
            size_of_val(&z.$f),
        )),*]
    }};
}

/// The Rust structures, laid out by rustc.
fn rust_structs() -> BTreeMap<String, CStruct> {
    let mut m = BTreeMap::new();
    let mut add = |name: &str, fields: Vec<Field>, size: usize, align: usize| {
        m.insert(
            name.to_string(),
            CStruct {
                fields,
                size,
                align,
            },
        );
    };
    add(
        "vtl_msg",
        fields!(VtlMsg: magic, version, kind, tag, cdb, cdb_len, direction, task_attr, data_len, nexus),
        size_of::<VtlMsg>(),
        align_of::<VtlMsg>(),
    );
    add(
        "vtl_reply",
        fields!(VtlReply: magic, version, status, sense_len, tag, data_len, reserved, sense),
        size_of::<VtlReply>(),
        align_of::<VtlReply>(),
    );
    add(
        "vtl_add_lu",
        fields!(VtlAddLu: version, channel, target, lun, r#type, host, flags, reserved, devname),
        size_of::<VtlAddLu>(),
        align_of::<VtlAddLu>(),
    );
    add(
        "vtl_lu_addr",
        fields!(VtlLuAddr: version, channel, target, lun),
        size_of::<VtlLuAddr>(),
        align_of::<VtlLuAddr>(),
    );
    add(
        "vtl_info",
        fields!(VtlInfo: version, host, max_xfer, units),
        size_of::<VtlInfo>(),
        align_of::<VtlInfo>(),
    );
    m
}

/// Every constant of the Rust mirror that stands for a #define, by the #define's name.
fn rust_defines() -> BTreeMap<String, u64> {
    let v: Vec<(&str, u64)> = vec![
        ("VTL_UAPI_VERSION", uapi::VTL_UAPI_VERSION.into()),
        ("VTL_MAX_XFER", uapi::VTL_MAX_XFER.into()),
        ("VTL_CDB_MAX", uapi::VTL_CDB_MAX as u64),
        ("VTL_SENSE_MAX", uapi::VTL_SENSE_MAX as u64),
        ("VTL_MAX_CHANNEL", uapi::VTL_MAX_CHANNEL.into()),
        ("VTL_MAX_TARGET", uapi::VTL_MAX_TARGET.into()),
        ("VTL_MAX_LUN", uapi::VTL_MAX_LUN.into()),
        ("VTL_TYPE_TAPE", uapi::VTL_TYPE_TAPE.into()),
        ("VTL_TYPE_CHANGER", uapi::VTL_TYPE_CHANGER.into()),
        ("VTL_MSG_MAGIC", uapi::VTL_MSG_MAGIC.into()),
        ("VTL_REPLY_MAGIC", uapi::VTL_REPLY_MAGIC.into()),
        ("VTL_MSG_COMMAND", uapi::VTL_MSG_COMMAND.into()),
        ("VTL_MSG_ABORT", uapi::VTL_MSG_ABORT.into()),
        ("VTL_MSG_LU_RESET", uapi::VTL_MSG_LU_RESET.into()),
        ("VTL_MSG_BUS_RESET", uapi::VTL_MSG_BUS_RESET.into()),
        ("VTL_DIR_NONE", uapi::VTL_DIR_NONE.into()),
        ("VTL_DIR_TO_DEVICE", uapi::VTL_DIR_TO_DEVICE.into()),
        ("VTL_DIR_FROM_DEVICE", uapi::VTL_DIR_FROM_DEVICE.into()),
        ("VTL_LU_EXISTED", uapi::VTL_LU_EXISTED.into()),
        ("VTL_IOC_MAGIC", uapi::VTL_IOC_MAGIC.into()),
        ("VTL_IOC_ADD_LU", uapi::VTL_IOC_ADD_LU.into()),
        ("VTL_IOC_REMOVE_LU", uapi::VTL_IOC_REMOVE_LU.into()),
        ("VTL_IOC_INFO", uapi::VTL_IOC_INFO.into()),
        ("VTL_IOC_SCAN", uapi::VTL_IOC_SCAN.into()),
    ];
    v.into_iter().map(|(k, x)| (k.to_string(), x)).collect()
}

#[test]
fn every_define_has_an_equal_rust_constant() {
    let (defines, _) = parse_header();
    let rust = rust_defines();
    let c_names: Vec<_> = defines.keys().collect();
    let r_names: Vec<_> = rust.keys().collect();
    assert_eq!(
        c_names, r_names,
        "#defines of vtl_uapi.h vs constants of uapi.rs"
    );
    for (name, v) in &defines {
        assert_eq!(
            rust[name], *v,
            "{name}: header {v:#x}, Rust {:#x}",
            rust[name]
        );
    }
}

#[test]
fn every_struct_has_the_same_layout() {
    let (_, structs) = parse_header();
    let rust = rust_structs();
    assert_eq!(
        structs.keys().collect::<Vec<_>>(),
        rust.keys().collect::<Vec<_>>(),
        "structures of vtl_uapi.h vs uapi.rs"
    );
    for (name, c) in &structs {
        assert_eq!(&rust[name], c, "layout of struct {name}");
    }
}

#[test]
fn header_layouts_are_the_documented_sizes() {
    // The header's comments promise these sizes; the parser computes them independently.
    let (_, s) = parse_header();
    assert_eq!(s["vtl_msg"].size, 64);
    assert_eq!(s["vtl_reply"].size, 120);
    assert_eq!(s["vtl_add_lu"].size, 64);
    assert_eq!(s["vtl_lu_addr"].size, 16);
    assert_eq!(s["vtl_info"].size, 16);
    // Same layout on 32-bit ABIs (where __u64 aligns to 4): every __u64 at a multiple of 8
    // and every size a multiple of 8 or without __u64.
    for (name, st) in &s {
        for (f, off, size) in &st.fields {
            if *size == 8 {
                assert_eq!(off % 8, 0, "{name}.{f}");
            }
        }
        if st.align == 8 {
            assert_eq!(st.size % 8, 0, "{name}");
        }
    }
}

#[test]
fn ioctl_numbers_are_the_kernel_encoding() {
    // Worked by hand from asm-generic/ioctl.h: dir << 30 | size << 16 | 'V' << 8 | nr.
    assert_eq!(uapi::VTL_IOC_ADD_LU, 0xc040_5601);
    assert_eq!(uapi::VTL_IOC_REMOVE_LU, 0x4010_5602);
    assert_eq!(uapi::VTL_IOC_INFO, 0x8010_5603);
    assert_eq!(uapi::VTL_IOC_SCAN, 0x0000_5604);
}

#[test]
fn magics_spell_their_names_in_little_endian() {
    assert_eq!(&uapi::VTL_MSG_MAGIC.to_le_bytes(), b"VTLM");
    assert_eq!(&uapi::VTL_REPLY_MAGIC.to_le_bytes(), b"VTLR");
}

#[test]
fn parser_catches_a_changed_field_or_define() {
    // The comparison is not blind: a header with two fields swapped, or a value changed,
    // parses to something the Rust side does not match.
    let moved = HEADER.replace(
        "\t__u16 cdb_len;\t\t/* bytes */\n\t__u8  direction;",
        "\t__u8  direction;\n\t__u16 cdb_len;\t\t/* bytes */",
    );
    assert_ne!(moved, HEADER, "the test's pattern must match the header");
    let (_, structs) = parse(&moved);
    assert_ne!(structs["vtl_msg"], rust_structs()["vtl_msg"]);

    let bigger = HEADER.replace("(8U << 20)", "(16U << 20)");
    assert_ne!(bigger, HEADER);
    let (defines, _) = parse(&bigger);
    assert_eq!(defines["VTL_MAX_XFER"], 16 << 20);
    assert_ne!(defines["VTL_MAX_XFER"], rust_defines()["VTL_MAX_XFER"]);
}
