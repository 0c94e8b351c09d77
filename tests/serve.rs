//! The dev server under bad requests: only files under its root are ever served (encoded and
//! double-encoded traversal, symlinks out of the root), other methods and over-long paths are
//! refused, ranges work, and many concurrent connections are all answered; it keeps serving.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// A root with a page, a file, a link inside and links out; a secret beside the root.
fn start() -> (Server, std::path::PathBuf) {
    let base = std::env::temp_dir().join(format!("pixelwise-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let root = base.join("www");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("index.html"), "<!doctype html><title>ok</title>").unwrap();
    std::fs::write(root.join("sub/data.txt"), "0123456789abcdefghij").unwrap();
    std::fs::write(base.join("secret.txt"), "SECRET").unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), root.join("out.txt")).unwrap();
    std::os::unix::fs::symlink(&base, root.join("up")).unwrap();
    std::os::unix::fs::symlink(root.join("sub/data.txt"), root.join("inside.txt")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_serve"))
        .args(["--root", root.to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.rsplit(':').next().unwrap().trim().trim_end_matches('/').parse().unwrap();
    (Server { child, port }, base)
}

/// One raw HTTP/1.1 request, the path exactly as written: (status, headers and body as text).
fn request(port: u16, method: &str, path: &str, extra: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n").unwrap();
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, text)
}

#[test]
fn only_the_root_is_served_and_the_server_keeps_serving() {
    let (server, base) = start();
    let p = server.port;
    let get = |path: &str| request(p, "GET", path, "");
    assert_eq!(get("/index.html").0, 200);
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/%252e%252e/secret.txt", "/sub/..%2f..%2fsecret.txt", "/sub%5c..%5c..%5csecret.txt"] {
        let (status, text) = get(path);
        assert!(status >= 400 && !text.contains("SECRET"), "{path}: {status}");
    }
    // Symlinks: out of the root refused, inside the root served.
    for path in ["/out.txt", "/up/secret.txt"] {
        let (status, text) = get(path);
        assert!(status == 403 && !text.contains("SECRET"), "{path}: {status}");
    }
    assert!(get("/inside.txt").1.ends_with("0123456789abcdefghij"));
    // Over-long paths and other methods.
    assert_eq!(get(&format!("/{}", "a".repeat(10_000))).0, 414);
    assert_eq!(request(p, "HEAD", "/index.html", "").0, 200);
    for method in ["POST", "OPTIONS", "PUT", "DELETE"] {
        let (status, text) = request(p, method, "/index.html", "Content-Length: 0\r\n");
        assert!(status == 405 && text.to_ascii_lowercase().contains("allow: get, head"), "{method}: {status}");
    }
    // Ranges.
    let (status, text) = request(p, "GET", "/sub/data.txt", "Range: bytes=0-9\r\n");
    assert!(status == 206 && text.ends_with("0123456789"), "range: {status}");
    assert_eq!(request(p, "GET", "/sub/data.txt", "Range: bytes=500-\r\n").0, 416);
    // Many connections at once, all answered; then it still serves.
    let handles: Vec<_> = (0..200).map(|_| std::thread::spawn(move || request(p, "GET", "/sub/data.txt", "").0)).collect();
    let ok = handles.into_iter().map(|h| h.join().unwrap()).filter(|&s| s == 200).count();
    assert_eq!(ok, 200, "{ok} of 200 concurrent requests answered");
    assert_eq!(get("/index.html").0, 200);
    let _ = std::fs::remove_dir_all(base);
}
