//! What can be checked of the control side without the module: addresses, device types and
//! the errors of opening something that is not the module's control device.

use std::path::Path;

use vtl_kernel::{Control, DeviceType, KernelError, LuAddress};

#[test]
fn addresses_display_as_c_t_l_and_know_their_limits() {
    let a = LuAddress::new(15, 255, 255);
    assert_eq!(a.to_string(), "15:255:255");
    assert!(a.is_valid());
    assert_eq!(a.devname(), "vtl/lu-15-255-255");
    assert!(!LuAddress::new(16, 0, 0).is_valid());
    assert!(!LuAddress::new(0, 256, 0).is_valid());
    assert!(!LuAddress::new(0, 0, 256).is_valid());
}

#[test]
fn device_types_are_spc_peripheral_types() {
    assert_eq!(DeviceType::Tape.code(), 0x01);
    assert_eq!(DeviceType::Changer.code(), 0x08);
    assert_eq!(DeviceType::Changer.to_string(), "changer");
}

#[test]
fn a_missing_control_device_means_the_module_is_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control");
    let e = Control::open(&path).unwrap_err();
    assert!(
        matches!(&e, KernelError::ModuleNotLoaded { path: p } if p == &path),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("is the vtl kernel module loaded?"),
        "{e}"
    );
}

#[test]
fn a_file_that_is_not_the_control_device_fails_its_first_ioctl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control");
    std::fs::write(&path, b"").unwrap();
    let e = Control::open(&path).unwrap_err();
    assert!(
        matches!(
            &e,
            KernelError::Io {
                op: "VTL_IOC_INFO",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.raw_os_error(), Some(libc::ENOTTY));
    assert!(!e.is_busy());
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("{}: VTL_IOC_INFO: ", path.display())),
        "{shown}"
    );
}

#[test]
fn default_path() {
    assert_eq!(
        Path::new(Control::DEFAULT_PATH),
        Path::new("/dev/vtl/control")
    );
}
