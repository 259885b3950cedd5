//! The mining job through the C ABI: bad arguments, a result asked too early, cancel, free.

use std::ffi::{CStr, CString};
use std::ptr;

use zipp::ffi::mine::{
    zipp_job_cancel, zipp_job_free, zipp_job_poll, zipp_job_result, zipp_job_wait, zipp_mine_start,
    ZippMineJob,
};
use zipp::ffi::strings::zipp_string_free;
use zipp::mine::ingest::{collect_inputs, ingest_to_file, IngestOptions};
use zipp::mine::synth::{generate, SynthConfig};
use zipp::ZippStatus;

fn last_error() -> String {
    // SAFETY: the library returns a thread-local NUL-terminated string.
    unsafe { CStr::from_ptr(zipp::ffi::status::zipp_last_error()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn bad_arguments_are_refused_without_a_handle() {
    let mut job: *mut ZippMineJob = ptr::null_mut();
    // SAFETY: valid pointers or NULL as each case says.
    unsafe {
        assert_eq!(
            zipp_mine_start(ptr::null(), &mut job),
            ZippStatus::NullPointer
        );
        let bad = CString::new("{\"graph\": ").unwrap();
        assert_eq!(
            zipp_mine_start(bad.as_ptr(), &mut job),
            ZippStatus::InvalidJson
        );
        // Well-formed JSON with a key the schema does not know is a config error, as for the
        // rewriter.
        let unknown = CString::new(r#"{"graph": "g", "out_dir": "o", "epochs": 3}"#).unwrap();
        assert_eq!(
            zipp_mine_start(unknown.as_ptr(), &mut job),
            ZippStatus::InvalidConfig
        );
        assert!(last_error().contains("epochs"), "{}", last_error());
        let zero =
            CString::new(r#"{"graph": "g", "out_dir": "o", "train": {"negatives": 0}}"#).unwrap();
        assert_eq!(
            zipp_mine_start(zero.as_ptr(), &mut job),
            ZippStatus::InvalidConfig
        );
        // Sizes that used to abort the host process are refused with the key named.
        let huge = CString::new(
            r#"{"graph": "g", "out_dir": "o", "encoder": {"hidden": 18446744073709551615}}"#,
        )
        .unwrap();
        assert_eq!(
            zipp_mine_start(huge.as_ptr(), &mut job),
            ZippStatus::InvalidConfig
        );
        assert!(last_error().contains("encoder.hidden"), "{}", last_error());
        assert!(job.is_null());
        let mut out = ptr::null_mut();
        assert_eq!(
            zipp_job_poll(ptr::null(), &mut out),
            ZippStatus::NullPointer
        );
        zipp_job_cancel(ptr::null());
        zipp_job_free(ptr::null_mut());
    }
}

#[test]
fn a_missing_graph_fails_the_job_and_a_running_one_is_pending_then_cancelled() {
    let dir = std::env::temp_dir().join(format!("zipp-ffi-mine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut job: *mut ZippMineJob = ptr::null_mut();
    let missing = CString::new(format!(
        r#"{{"graph": {:?}, "out_dir": {:?}}}"#,
        dir.join("none.graph"),
        dir.join("out")
    ))
    .unwrap();
    // SAFETY: valid arguments; every string written is freed once.
    unsafe {
        assert_eq!(zipp_mine_start(missing.as_ptr(), &mut job), ZippStatus::Ok);
        let mut finished = false;
        assert_eq!(zipp_job_wait(job, 30_000, &mut finished), ZippStatus::Ok);
        assert!(finished);
        let mut result = ptr::null_mut();
        assert_eq!(zipp_job_result(job, &mut result), ZippStatus::Io);
        assert!(
            result.is_null() && last_error().contains("none.graph"),
            "{}",
            last_error()
        );
        let mut status = ptr::null_mut();
        assert_eq!(zipp_job_poll(job, &mut status), ZippStatus::Ok);
        assert!(CStr::from_ptr(status)
            .to_str()
            .unwrap()
            .contains("\"stage\":\"failed\""));
        zipp_string_free(status);
        zipp_job_free(job);
    }

    let config = SynthConfig {
        users: 300,
        communities: 40,
        interactions: 4_000,
        ..SynthConfig::default()
    };
    generate(&config, &dir).unwrap();
    let inputs = collect_inputs(&[dir.join("reddit")]).unwrap();
    ingest_to_file(
        &inputs,
        &IngestOptions::default(),
        &dir.join("g.graph"),
        |_| (),
    )
    .unwrap();
    let long = CString::new(format!(
        r#"{{"graph": {:?}, "out_dir": {:?}, "threads": 1, "train": {{"epochs": 1000000, "patience": 0}}}}"#,
        dir.join("g.graph"),
        dir.join("out")
    ))
    .unwrap();
    // SAFETY: as above.
    unsafe {
        let mut job: *mut ZippMineJob = ptr::null_mut();
        assert_eq!(zipp_mine_start(long.as_ptr(), &mut job), ZippStatus::Ok);
        let mut finished = true;
        assert_eq!(zipp_job_wait(job, 200, &mut finished), ZippStatus::Ok);
        assert!(!finished);
        let mut result = ptr::null_mut();
        assert_eq!(zipp_job_result(job, &mut result), ZippStatus::Pending);
        zipp_job_cancel(job);
        assert_eq!(zipp_job_wait(job, 5_000, &mut finished), ZippStatus::Ok);
        assert!(finished);
        assert_eq!(zipp_job_result(job, &mut result), ZippStatus::Cancelled);
        zipp_job_free(job);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
