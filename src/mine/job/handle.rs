//! A mining job on its own thread: start returns at once; poll, wait, cancel and result from any
//! thread; dropping the handle cancels and joins.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::config::MineConfig;
use super::run::{run, with_threads, MineResult};
use super::status::{JobStatus, Stage};
use crate::ZippError;

/// How a finished job ended: its result, or the error that ended it.
pub type JobOutcome = Result<MineResult, ZippError>;

#[derive(Default)]
struct Shared {
    status: JobStatus,
    outcome: Option<JobOutcome>,
}

/// A running or finished mining job.
pub struct MineJob {
    cancel: Arc<AtomicBool>,
    shared: Arc<(Mutex<Shared>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

fn lock(m: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl MineJob {
    /// Starts `config` on a new thread and returns at once.
    pub fn start(config: MineConfig) -> crate::error::Result<Self> {
        let cancel = Arc::new(AtomicBool::new(false));
        let shared = Arc::new((Mutex::new(Shared::default()), Condvar::new()));
        let (c, s) = (cancel.clone(), shared.clone());
        let thread = std::thread::Builder::new()
            .name("zipp-mine".into())
            .spawn(move || {
                let report = |f: &dyn Fn(&mut JobStatus)| f(&mut lock(&s.0).status);
                let work = || with_threads(config.threads, || run(&config, &c, &report));
                let outcome = match catch_unwind(AssertUnwindSafe(work)) {
                    Ok(Ok(r)) => Ok(r),
                    Ok(Err(e)) => Err(e),
                    Err(p) => Err(ZippError::Panic {
                        message: crate::error::panic_message(p.as_ref()),
                    }),
                };
                let mut g = lock(&s.0);
                match &outcome {
                    Ok(_) => g.status.stage = Stage::Done,
                    Err(ZippError::Cancelled) => g.status.stage = Stage::Cancelled,
                    Err(e) => {
                        g.status.stage = Stage::Failed;
                        g.status.error = Some(e.to_string());
                    }
                }
                g.outcome = Some(outcome);
                s.1.notify_all();
            })
            .map_err(|e| ZippError::Compute {
                stage: "job thread".into(),
                message: e.to_string(),
            })?;
        Ok(Self {
            cancel,
            shared,
            thread: Some(thread),
        })
    }

    /// A snapshot of the progress.
    pub fn poll(&self) -> JobStatus {
        lock(&self.shared.0).status.clone()
    }

    /// Asks the job to stop; it does at the next batch or persona.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Waits until the job ends or `timeout` passes (`None`: no limit); true when it ended.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut g = lock(&self.shared.0);
        while g.outcome.is_none() {
            match deadline {
                None => g = self.shared.1.wait(g).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return false;
                    }
                    g = self
                        .shared
                        .1
                        .wait_timeout(g, d - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                }
            }
        }
        true
    }

    /// How the job ended, or `None` while it runs.
    pub fn result(&self) -> Option<JobOutcome> {
        lock(&self.shared.0).outcome.clone()
    }
}

impl Drop for MineJob {
    fn drop(&mut self) {
        self.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
