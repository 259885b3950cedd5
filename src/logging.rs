//! One global log sink for the library, bridged from the `log` crate: stderr by default, or a
//! function the host installs (the C ABI's `zipp_log_set`).
//!
//! The default level comes from `ZIPP_LOG` (`off`, `error`, `warn`, `info`, `debug`, `trace`;
//! `warn` when unset). If the embedding program already installed a `log` logger, libzipp leaves
//! it in place and its records go there.

use std::sync::{Arc, Once, RwLock};

use log::{Level, LevelFilter, Log, Metadata, Record};

/// A host's log function: level, target (module path) and message.
pub type LogFn = Box<dyn Fn(Level, &str, &str) + Send + Sync>;

/// The installed sink. Records clone the `Arc` and call it with the lock released, so that a
/// sink may itself install another one (or log) without deadlocking.
static SINK: RwLock<Option<Arc<LogFn>>> = RwLock::new(None);
static INSTALL: Once = Once::new();

struct Bridge;

impl Log for Bridge {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        let sink = SINK.read().unwrap_or_else(|p| p.into_inner()).clone();
        match sink {
            Some(f) => f(record.level(), record.target(), &message),
            None => eprintln!("[zipp {}] {}: {message}", record.level(), record.target()),
        }
    }

    fn flush(&self) {}
}

static BRIDGE: Bridge = Bridge;

/// Parses a level name as `ZIPP_LOG` takes it.
pub fn parse_level(name: &str) -> Option<LevelFilter> {
    match name.trim().to_ascii_lowercase().as_str() {
        "off" | "none" => Some(LevelFilter::Off),
        "error" => Some(LevelFilter::Error),
        "warn" | "warning" => Some(LevelFilter::Warn),
        "info" => Some(LevelFilter::Info),
        "debug" => Some(LevelFilter::Debug),
        "trace" => Some(LevelFilter::Trace),
        _ => None,
    }
}

/// Installs the bridge as the `log` logger once (at the `ZIPP_LOG` level), unless the program
/// installed its own. Called by every C entry point; Rust programs may call it too.
pub fn init() {
    INSTALL.call_once(|| {
        if log::set_logger(&BRIDGE).is_ok() {
            let level = std::env::var("ZIPP_LOG")
                .ok()
                .and_then(|v| parse_level(&v))
                .unwrap_or(LevelFilter::Warn);
            log::set_max_level(level);
        }
    });
}

/// Sends records up to `level` to `sink`, or to stderr when `sink` is `None`.
pub fn set_sink(sink: Option<LogFn>, level: LevelFilter) {
    init();
    *SINK.write().unwrap_or_else(|p| p.into_inner()) = sink.map(Arc::new);
    log::set_max_level(level);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_may_replace_itself_while_it_runs() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        set_sink(
            Some(Box::new(|_, _, _| {
                CALLS.fetch_add(1, Ordering::SeqCst);
                // Before the fix this waited forever for the write lock held by the caller.
                set_sink(None, LevelFilter::Warn);
            })),
            LevelFilter::Warn,
        );
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            log::warn!("one record");
            let _ = tx.send(());
        });
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("logging from inside the sink does not deadlock");
        assert!(CALLS.load(Ordering::SeqCst) >= 1);
    }

    #[test]
    fn level_names() {
        assert_eq!(parse_level("WARN"), Some(LevelFilter::Warn));
        assert_eq!(parse_level("off"), Some(LevelFilter::Off));
        assert_eq!(parse_level("loud"), None);
    }
}
