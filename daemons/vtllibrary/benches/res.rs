//! READ ELEMENT STATUS of a 10,000-slot library with volume tags (what `mtx status` asks
//! of a large library).

use criterion::{Criterion, criterion_group, criterion_main};
use vtl_config::{Barcode, LibraryConf, LibraryContents};
use vtl_scsi::InProcess;
use vtllibrary::Library;

fn bench(c: &mut Criterion) {
    let home = tempfile::tempdir().unwrap();
    let mut conf = LibraryConf::new(10, 0, 0, 0);
    conf.vendor = Some("STK".into());
    conf.product = Some("L700".into());
    conf.home = home.path().to_path_buf();
    let contents = LibraryContents {
        library: 10,
        version: Some(2),
        drives: vec![],
        pickers: vec![None],
        maps: vec![None; 4],
        slots: (0..10_000)
            .map(|i| (i % 10 != 9).then(|| Barcode::new(&format!("B{i:05}L8")).unwrap()))
            .collect(),
        layout: Default::default(),
    };
    let lib = Library::new(&conf, &contents, Vec::new()).unwrap();
    let mut lu = InProcess::new(lib);
    lu.command(1, &[0; 6], &[], 0);
    let cdb = [0xb8, 0x10, 0, 0, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0, 0];
    let mut buf = Vec::new();
    c.bench_function("read_element_status_10000_slots_voltag", |b| {
        b.iter(|| {
            let r = lu.command_into(1, &cdb, &[], &mut buf);
            assert_eq!(r.status, vtl_scsi::Status::Good);
            assert_eq!(buf.len(), 8 + 3 * 8 + (1 + 4 + 10_000) * 48);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
