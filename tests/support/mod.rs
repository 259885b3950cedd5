//! A small OpenAI-compatible HTTP server on loopback that plays a script of replies, so the
//! `openai` backend can be tested against real sockets, including faults.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One scripted reply.
#[derive(Clone)]
pub enum Reply {
    /// An HTTP status with extra headers and a body.
    Http {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Wait this long before answering with the inner reply.
    Delay(Duration, Box<Reply>),
    /// After this long, a chat completion of the request's last message followed by the text.
    Echo(Duration, String),
    /// Raw bytes written in steps, each after its pause, then `hold` of silence with the
    /// connection open before it closes; a write the client no longer reads ends it early.
    Raw {
        /// (pause before, bytes) in order.
        steps: Vec<(Duration, Vec<u8>)>,
        /// Silence after the last step.
        hold: Duration,
    },
}

/// A chat completion whose message content is `content`.
pub fn completion(content: &str) -> Reply {
    let body = serde_json::json!({
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}
    });
    Reply::Http {
        status: 200,
        headers: vec![],
        body: body.to_string(),
    }
}

/// A reply with `status` and `body`.
pub fn status(status: u16, body: &str) -> Reply {
    Reply::Http {
        status,
        headers: vec![],
        body: body.to_string(),
    }
}

/// HTTP 429 with a `Retry-After` header.
pub fn too_many(retry_after: &str) -> Reply {
    Reply::Http {
        status: 429,
        headers: vec![("Retry-After".into(), retry_after.into())],
        body: r#"{"error":{"message":"slow down"}}"#.into(),
    }
}

/// How long a silent server keeps the connection open: longer than any test waits.
pub const SILENT: Duration = Duration::from_secs(20);

/// The head of an HTTP 200 reply promising `content_length` bytes of JSON.
pub fn head(content_length: usize) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {content_length}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// The body of [`completion`] as bytes.
pub fn completion_body(content: &str) -> Vec<u8> {
    match completion(content) {
        Reply::Http { body, .. } => body.into_bytes(),
        _ => unreachable!("completion is an Http reply"),
    }
}

/// Accepts and reads the request, then says nothing.
pub fn silence() -> Reply {
    Reply::Raw {
        steps: vec![],
        hold: SILENT,
    }
}

/// Sends the head of a 200 reply with its Content-Length, then says nothing.
pub fn headers_then_silence() -> Reply {
    Reply::Raw {
        steps: vec![(Duration::ZERO, head(400))],
        hold: SILENT,
    }
}

/// A completion whose body stops after `sent` of its bytes and the connection closes.
pub fn cut_off(content: &str, sent: usize) -> Reply {
    let body = completion_body(content);
    let mut bytes = head(body.len());
    bytes.extend_from_slice(&body[..sent.min(body.len())]);
    Reply::Raw {
        steps: vec![(Duration::ZERO, bytes)],
        hold: Duration::ZERO,
    }
}

/// A whole completion reply, head included, one byte every `every`.
pub fn trickle(content: &str, every: Duration) -> Reply {
    let body = completion_body(content);
    let mut bytes = head(body.len());
    bytes.extend_from_slice(&body);
    Reply::Raw {
        steps: bytes.into_iter().map(|b| (every, vec![b])).collect(),
        hold: Duration::ZERO,
    }
}

/// The head at once, then the body of a completion one byte every `every`.
pub fn trickle_body(content: &str, every: Duration) -> Reply {
    let body = completion_body(content);
    let mut steps = vec![(Duration::ZERO, head(body.len()))];
    steps.extend(body.into_iter().map(|b| (every, vec![b])));
    Reply::Raw {
        steps,
        hold: Duration::ZERO,
    }
}

/// A 200 reply of `bytes` bytes: a completion padded with spaces inside the JSON.
pub fn huge(bytes: usize) -> Reply {
    let body = String::from_utf8(completion_body("a cat, huge")).expect("UTF-8");
    let pad = bytes.saturating_sub(body.len());
    Reply::Http {
        status: 200,
        headers: vec![],
        body: format!("{}{}{}", &body[..1], " ".repeat(pad), &body[1..]),
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Request line path.
    pub path: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: String,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("request body is JSON")
    }
}

/// The server; stops when dropped.
pub struct FakeServer {
    port: u16,
    stop: Arc<AtomicBool>,
    received: Arc<Mutex<Vec<Received>>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Starts a server that answers the n-th request with `script[n]` (the last one repeats).
    pub fn start(script: Vec<Reply>) -> Self {
        assert!(!script.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (stop2, received2) = (stop.clone(), received.clone());
        let thread = std::thread::spawn(move || {
            let mut n = 0usize;
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) || n > 1000 {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let reply = script[n.min(script.len() - 1)].clone();
                n += 1;
                let received = received2.clone();
                std::thread::spawn(move || serve(stream, reply, received));
            }
        });
        Self {
            port,
            stop,
            received,
            thread: Some(thread),
        }
    }

    /// Base URL, e.g. `http://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, reply: Reply, received: Arc<Mutex<Vec<Received>>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    let _ = reader.read_exact(&mut body);
    received.lock().expect("lock").push(Received {
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let reply = match reply {
        Reply::Echo(delay, suffix) => {
            let request: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let last = request["messages"]
                .as_array()
                .and_then(|m| m.last())
                .and_then(|m| m["content"].as_str())
                .unwrap_or_default()
                .to_string();
            Reply::Delay(delay, Box::new(completion(&format!("{last}{suffix}"))))
        }
        other => other,
    };
    respond(stream, reply);
}

fn respond(mut stream: TcpStream, reply: Reply) {
    match reply {
        Reply::Echo(..) => {}
        Reply::Delay(d, inner) => {
            std::thread::sleep(d);
            respond(stream, *inner);
        }
        Reply::Http {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
        }
        Reply::Raw { steps, hold } => {
            for (pause, bytes) in steps {
                std::thread::sleep(pause);
                if stream
                    .write_all(&bytes)
                    .and_then(|_| stream.flush())
                    .is_err()
                {
                    return;
                }
            }
            std::thread::sleep(hold);
        }
    }
}

/// A loopback URL where nothing listens (the port was bound, then released).
pub fn refused_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}/v1")
}

/// Path of a file in the repository.
pub fn repo(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The libzipp shared library `cargo test` built next to this test (or `ZIPP_LIBRARY`).
#[allow(dead_code)]
pub fn library_path() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("ZIPP_LIBRARY") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("test path");
    let deps = exe.parent().expect("deps dir");
    let name = format!(
        "{}zipp{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    [
        deps.join(&name),
        deps.parent().expect("profile dir").join(&name),
    ]
    .into_iter()
    .filter(|p| p.exists())
    .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
    .unwrap_or_else(|| panic!("{name} was not built next to {}", exe.display()))
}
