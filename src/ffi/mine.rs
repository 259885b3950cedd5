//! The mining job: start from a JSON configuration, poll, wait, cancel, result, free.

use std::ffi::c_char;
use std::time::Duration;

use super::panic::{guard, guard_value};
use super::strings::{out_arg, owned, str_arg};
use crate::mine::job::{MineConfig, MineJob};
use crate::{ZippError, ZippStatus};

/// A persona-mining job running on its own thread. Every function on it may be called from any
/// thread. Free it with `zipp_job_free`, which cancels it first.
pub struct ZippMineJob {
    inner: MineJob,
}

fn job<'a>(job: *const ZippMineJob) -> Result<&'a MineJob, ZippError> {
    if job.is_null() {
        return Err(ZippError::NullPointer { arg: "job" });
    }
    // SAFETY: non-NULL and from zipp_mine_start by the caller's contract.
    Ok(unsafe { &(*job).inner })
}

/// Starts mining personas and returns at once; the work runs on a new thread.
///
/// `config_json` keys: `graph` (the file `zipp mine ingest` wrote; required), `out_dir`
/// (required; gets `checkpoint.safetensors`, `encoder.safetensors`, `metrics.json`,
/// `salience.jsonl`, `personas/<id>.json` and `result.json`, each written to a temporary name
/// and renamed), `images` ({`index`, `vectors`}: image references, one per line, and a `.npy`
/// matrix of their embeddings; turns on ImageAlign), `encoder` ({`embedding_dim`, `hidden`,
/// `heads`, `out_dim`, `dropout`, `share_weights`, `self_loops`, `negative_slope`}), `train`
/// ({`epochs`, `learning_rate`, `weight_decay`, `warmup_epochs`, `clip_norm`, `negatives`,
/// `patience`, `batch_edges`, `full_batch_limit`, `fanout`, `seed`, `image_align`: {`weight`,
/// `temperature`, `learn_temperature`, `batch_users`}}), `evidence` ({`token_budget`,
/// `max_communities`, `snippets_per_community`}), `verbalizer` (a text backend as in
/// `zipp_rewriter_new`; absent: personas composed from the evidence without a model),
/// `max_personas`, `resume` (default true: continue from the checkpoint, keep personas already
/// written), `device` ("cpu" or "cuda") and `threads`. Relative paths are taken from the
/// working directory. The configuration is checked here; files are read by the job.
///
/// # Safety
/// `config_json` is a NUL-terminated string; `out_job` points to writable storage for one
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_mine_start(
    config_json: *const c_char,
    out_job: *mut *mut ZippMineJob,
) -> ZippStatus {
    guard(|| {
        out_arg(out_job, "out_job")?;
        // SAFETY: the caller's contract.
        let json = unsafe { str_arg(config_json, "config_json") }?;
        let config = MineConfig::from_json(json, None)?;
        let inner = MineJob::start(config)?;
        // SAFETY: checked non-NULL.
        unsafe { *out_job = Box::into_raw(Box::new(ZippMineJob { inner })) };
        Ok(())
    })
}

/// Writes the job's progress as JSON to `*out_status_json` (free with `zipp_string_free`):
/// `stage` ("queued", "loading", "training", "salience", "verbalizing", "done", "failed",
/// "cancelled"), `fraction` (0..1 of the whole job), `epoch`, `epochs`, `loss`,
/// `posting_accuracy` (validation, latest epoch), `eta_seconds` (null when unknown),
/// `personas`, `elapsed_seconds` and `error` (for a failed job).
///
/// # Safety
/// `job` is a live handle; `out_status_json` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_job_poll(
    job_: *const ZippMineJob,
    out_status_json: *mut *mut c_char,
) -> ZippStatus {
    guard(|| {
        out_arg(out_status_json, "out_status_json")?;
        let status = job(job_)?.poll();
        let json = serde_json::to_string(&status).map_err(|e| ZippError::json("job status", &e))?;
        // SAFETY: checked non-NULL.
        unsafe { *out_status_json = owned(json) };
        Ok(())
    })
}

/// Asks the job to stop. Returns at once; the job stops within about a second (at the next
/// training batch or persona) and then ends with ZIPP_STATUS_CANCELLED. The checkpoint of the
/// last finished epoch stays, so a new job with the same configuration resumes from it.
///
/// # Safety
/// `job` is NULL (ignored) or a live handle.
#[no_mangle]
pub unsafe extern "C" fn zipp_job_cancel(job_: *const ZippMineJob) {
    guard_value((), || {
        if let Ok(j) = job(job_) {
            j.cancel();
        }
    })
}

/// Waits for the job to end, at most `timeout_ms` milliseconds (negative: no limit). Writes
/// whether it ended to `*out_finished`.
///
/// # Safety
/// `job` is a live handle; `out_finished` points to a writable bool.
#[no_mangle]
pub unsafe extern "C" fn zipp_job_wait(
    job_: *const ZippMineJob,
    timeout_ms: i64,
    out_finished: *mut bool,
) -> ZippStatus {
    guard(|| {
        out_arg(out_finished, "out_finished")?;
        let timeout = u64::try_from(timeout_ms).ok().map(Duration::from_millis);
        let done = job(job_)?.wait(timeout);
        // SAFETY: checked non-NULL.
        unsafe { *out_finished = done };
        Ok(())
    })
}

/// How the job ended. ZIPP_STATUS_PENDING while it runs. When it succeeded, writes JSON to
/// `*out_result_json` (free with `zipp_string_free`): `out_dir`, `personas_dir`,
/// `personas_written`, `personas_kept`, `personas_failed` ([user, reason] pairs), `salience`,
/// `encoder`, `metrics` (paths), `valid` and `test` ({`posting_accuracy`, `auc`, `pairs`}),
/// `best_epoch`, `resumed_epochs`. When it failed or was cancelled, returns that status with
/// the message in `zipp_last_error` and writes nothing.
///
/// # Safety
/// `job` is a live handle; `out_result_json` points to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn zipp_job_result(
    job_: *const ZippMineJob,
    out_result_json: *mut *mut c_char,
) -> ZippStatus {
    let mut failed: Option<ZippStatus> = None;
    let status = guard(|| {
        out_arg(out_result_json, "out_result_json")?;
        match job(job_)?.result() {
            None => Err(ZippError::Pending {
                what: "the mining job".into(),
            }),
            Some(Ok(r)) => {
                let json =
                    serde_json::to_string(&r).map_err(|e| ZippError::json("job result", &e))?;
                // SAFETY: checked non-NULL.
                unsafe { *out_result_json = owned(json) };
                Ok(())
            }
            Some(Err(e)) => {
                super::status::set_last_error(&e.to_string());
                failed = Some(e.status());
                Ok(())
            }
        }
    });
    failed.unwrap_or(status)
}

/// Cancels the job, waits for its thread to end and frees the handle. NULL is a no-op.
///
/// # Safety
/// `job` is NULL or a handle from `zipp_mine_start` not yet freed; no other call on it may run
/// or follow.
#[no_mangle]
pub unsafe extern "C" fn zipp_job_free(job: *mut ZippMineJob) {
    guard_value((), || {
        if !job.is_null() {
            // SAFETY: from Box::into_raw in zipp_mine_start, freed once by the caller's contract.
            drop(unsafe { Box::from_raw(job) });
        }
    })
}
