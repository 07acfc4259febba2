//! The systemd and udev files of systemd/ and udev/: the generator makes vtl.target want a
//! unit per device.conf stanza, the unit templates run the daemons as their man pages say,
//! and the udev rules cover the devices the kernel module makes.

use std::path::PathBuf;
use std::process::Command;

use xtask::man;

fn root() -> PathBuf {
    man::workspace_root()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The generator, run on the default configuration (libraries 10 and 30, drives 11-14 and
/// 31-34) with ids written with leading zeros, links one unit per stanza into
/// vtl.target.wants, pointing at the templates next to it.
#[test]
fn generator_links_a_unit_per_stanza() {
    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("device.conf");
    let text = vtl_config::generate::generate_device_conf(&Default::default()).to_string();
    assert!(text.contains("Library: 10 CHANNEL: 00"), "{text}");
    std::fs::write(&conf, text.replace("Drive: 11 ", "Drive: 011 ")).unwrap();
    // Installed layout: <lib>/systemd/system-generators/vtl-generator next to
    // <lib>/systemd/system/.
    let lib = tmp.path().join("lib/systemd");
    std::fs::create_dir_all(lib.join("system-generators")).unwrap();
    std::fs::create_dir_all(lib.join("system")).unwrap();
    let generator = lib.join("system-generators/vtl-generator");
    std::fs::copy(root().join("systemd/vtl-generator"), &generator).unwrap();
    let out_dir = tmp.path().join("normal");
    let out = Command::new("sh")
        .arg(&generator)
        .arg(&out_dir)
        .arg(tmp.path().join("early"))
        .arg(tmp.path().join("late"))
        .env("VTL_GENERATOR_CONF", &conf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let wants = out_dir.join("vtl.target.wants");
    let mut names: Vec<String> = std::fs::read_dir(&wants)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = vec![
        "vtllibrary@10.service".into(),
        "vtllibrary@30.service".into(),
    ];
    for d in [11, 12, 13, 14, 31, 32, 33, 34] {
        want.push(format!("vtltape@{d}.service"));
    }
    want.sort();
    assert_eq!(names, want);
    let target = std::fs::read_link(wants.join("vtltape@11.service")).unwrap();
    let units = std::fs::canonicalize(lib.join("system")).unwrap();
    assert_eq!(target, units.join("vtltape@.service"));
    let target = std::fs::read_link(wants.join("vtllibrary@30.service")).unwrap();
    assert_eq!(target, units.join("vtllibrary@.service"));

    // No device.conf: nothing to do, success.
    let empty = tmp.path().join("empty");
    let out = Command::new("sh")
        .arg(&generator)
        .arg(&empty)
        .env("VTL_GENERATOR_CONF", tmp.path().join("none"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(!empty.join("vtl.target.wants").exists());
}

/// The templates start the daemon in the foreground for instance %i, as a notify service
/// wanted by vtl.target; the target is enabled from multi-user.target.
#[test]
fn unit_templates() {
    for (unit, program) in [
        ("systemd/vtltape@.service", "vtltape"),
        ("systemd/vtllibrary@.service", "vtllibrary"),
    ] {
        let text = read(unit);
        for line in [
            format!("ExecStart={program} -F -q %i $VTL_DAEMON_ARGS").as_str(),
            "Type=notify",
            "PartOf=vtl.target",
            "WantedBy=vtl.target",
            "Restart=on-failure",
            "EnvironmentFile=-/etc/default/vtl",
            "ExecStartPre=-modprobe vtl",
        ] {
            assert!(text.lines().any(|l| l == line), "{unit}: no `{line}`");
        }
        assert!(text.contains(&format!("Documentation=man:{program}(1)")));
    }
    assert!(read("systemd/vtl.target").contains("WantedBy=multi-user.target"));
    assert!(read("systemd/vtl.tmpfiles.conf").contains("\nd /run/vtl 0775 root vtl -\n"));
    assert!(read("systemd/vtl.sysusers.conf").contains("\nu vtl - "));
}

/// The udev rules give the module's devices to group vtl and name vtl's drives and
/// changers by VPD identifier and by address; every rule line is `KEY op "value"` pairs.
#[test]
fn udev_rules() {
    let text = read("udev/65-vtl.rules");
    for want in [
        r#"SUBSYSTEM=="vtl", GROUP="vtl", MODE="0660""#,
        r#"SUBSYSTEM=="misc", KERNEL=="vtl-control", GROUP="vtl", MODE="0660""#,
        r#"SYMLINK+="tape/by-id/scsi-$env{ID_SERIAL}-nst""#,
        r#"SYMLINK+="tape/by-id/scsi-$env{ID_SERIAL} tape/by-id/scsi-$env{ID_SERIAL}-changer""#,
        r#"SYMLINK+="tape/by-path/vtl-%b-nst""#,
        r#"DEVPATH!="/devices/vtl/*", GOTO="vtl_end""#,
        r#"LABEL="vtl_end""#,
    ] {
        assert!(text.contains(want), "65-vtl.rules lacks {want}");
    }
    // The names the kernel module gives its devices, which the rules match.
    let km = root().join("kernel-module");
    let control = std::fs::read_to_string(km.join("vtl_control.c")).unwrap();
    assert!(control.contains(".name = \"vtl-control\""));
    let main = std::fs::read_to_string(km.join("vtl_main.c")).unwrap();
    assert!(main.contains(".name = \"vtl\""));
    assert!(main.contains("root_device_register(\"vtl\")"));
    // Syntax: outside comments, each line is comma-separated KEY<op>"value" pairs.
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        for pair in line.split(", ") {
            let ok = ["==", "!=", "+=", "="].iter().any(|op| {
                pair.split_once(op).is_some_and(|(k, v)| {
                    !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "{}_".contains(c))
                        && v.starts_with('"')
                        && v.ends_with('"')
                        && v.len() >= 2
                })
            });
            assert!(ok, "65-vtl.rules: malformed `{pair}` in `{line}`");
        }
    }
    // `udevadm verify` (systemd 254 and later) checks the rules for real.
    match Command::new("udevadm")
        .arg("verify")
        .arg(root().join("udev/65-vtl.rules"))
        .output()
    {
        Ok(out) if out.status.success() => {}
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("Unknown command") => {
            println!("SKIPPED: udevadm has no verify command")
        }
        Ok(out) => panic!("udevadm verify: {out:?}"),
        Err(_) => println!("SKIPPED: udevadm not installed"),
    }
}
