//! The dev server: static files from one folder on 127.0.0.1, with the cross-origin isolation
//! headers the page needs (SharedArrayBuffer for a threaded wasm) and no caching, so a rebuild
//! shows at once.

#[cfg(not(target_arch = "wasm32"))]
mod server {
    use std::net::SocketAddr;
    use std::path::{Path, PathBuf};

    use axum::body::Body;
    use axum::extract::State;
    use axum::http::{header, HeaderValue, Method, Request, Response, StatusCode};
    use axum::middleware::{self, Next};
    use axum::Router;
    use tower_http::compression::CompressionLayer;
    use tower_http::services::ServeDir;
    use tower_http::set_header::SetResponseHeaderLayer;

    #[derive(clap::Parser)]
    #[command(name = "serve", about = "Serve a folder on 127.0.0.1 with COOP/COEP headers")]
    struct Args {
        /// The only folder served.
        #[arg(long, default_value = "www")]
        root: PathBuf,
        /// 0 picks a free port; the address printed is the one bound.
        #[arg(long, default_value_t = 8000)]
        port: u16,
    }

    /// Percent-decodes until nothing changes, so double-encoded dots are seen as dots too.
    fn decode_fully(path: &str) -> Vec<u8> {
        let mut bytes = path.as_bytes().to_vec();
        loop {
            let mut out = Vec::with_capacity(bytes.len());
            let mut i = 0;
            while i < bytes.len() {
                let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
                if bytes[i] == b'%' && i + 2 < bytes.len() {
                    if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                        out.push(h * 16 + l);
                        i += 3;
                        continue;
                    }
                }
                out.push(bytes[i]);
                i += 1;
            }
            if out == bytes {
                return out;
            }
            bytes = out;
        }
    }

    /// True when the request path could name anything outside the root.
    pub fn escapes_root(path: &str) -> bool {
        let decoded = decode_fully(path);
        decoded.contains(&0)
            || decoded.contains(&b'\\')
            || decoded
                .split(|&b| b == b'/')
                .any(|segment| segment == b".." || segment.contains(&b':'))
    }

    /// Longest request path served; anything longer is refused before it is decoded.
    const MAX_PATH: usize = 2048;
    /// Requests handled at once; more wait their turn (one user's page needs a handful).
    const MAX_CONCURRENT: usize = 64;

    fn refuse(status: StatusCode, text: &'static str) -> Response<Body> {
        let mut res = Response::new(Body::from(text));
        *res.status_mut() = status;
        res
    }

    /// The served folder, resolved once, and the bound on requests handled at once.
    #[derive(Clone)]
    struct Root {
        canonical: PathBuf,
        slots: std::sync::Arc<tokio::sync::Semaphore>,
    }

    /// True when the file a (decoded, dot-free) path names exists but resolves, through symlinks,
    /// to somewhere outside the root.
    fn resolves_outside(root: &Path, path: &str) -> bool {
        let relative = String::from_utf8_lossy(&decode_fully(path)).trim_start_matches('/').to_string();
        match root.join(relative).canonicalize() {
            Ok(real) => !real.starts_with(root),
            Err(_) => false, // nothing there: the file service answers 404
        }
    }

    /// Refuses escaping paths, other methods and over-long paths before the file service sees
    /// them, bounds concurrent requests, and sets the types the page relies on.
    async fn guard(State(root): State<Root>, req: Request<Body>, next: Next) -> Response<Body> {
        let _slot = root.slots.acquire().await.expect("the semaphore is never closed");
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let mut res = refuse(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
            res.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return res;
        }
        let path = req.uri().path().to_owned();
        if path.len() > MAX_PATH {
            return refuse(StatusCode::URI_TOO_LONG, "path too long\n");
        }
        if escapes_root(&path) {
            return refuse(StatusCode::BAD_REQUEST, "path outside the served folder\n");
        }
        if resolves_outside(&root.canonical, &path) {
            return refuse(StatusCode::FORBIDDEN, "a link out of the served folder\n");
        }
        let mut res = next.run(req).await;
        let forced = if path.ends_with(".wasm") {
            Some("application/wasm")
        } else if path.ends_with(".onnx") {
            Some("application/octet-stream")
        } else if path.ends_with(".js") || path.ends_with(".mjs") {
            Some("text/javascript; charset=utf-8")
        } else {
            None
        };
        if let (Some(mime), true) = (forced, res.status().is_success()) {
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
        }
        res
    }

    fn app(root: PathBuf) -> Router {
        let fixed = |name: &'static str, value: &'static str| {
            SetResponseHeaderLayer::overriding(header::HeaderName::from_static(name), HeaderValue::from_static(value))
        };
        let state = Root {
            canonical: root.canonicalize().unwrap_or_else(|_| root.clone()),
            slots: std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT)),
        };
        Router::new()
            // The precompressed .br / .gz beside a file, when the browser accepts that encoding.
            .fallback_service(ServeDir::new(root).precompressed_br().precompressed_gzip())
            // What has no precompressed copy (the hand-edited scripts, styles, page) is gzipped on
            // the way out when the browser accepts it; a response already encoded passes untouched.
            .layer(CompressionLayer::new().gzip(true))
            .layer(middleware::from_fn_with_state(state, guard))
            .layer(fixed("cross-origin-opener-policy", "same-origin"))
            .layer(fixed("cross-origin-embedder-policy", "require-corp"))
            .layer(fixed("cross-origin-resource-policy", "same-origin"))
            .layer(fixed("cache-control", "no-cache"))
    }

    pub fn main() {
        use clap::Parser;
        let args = Args::parse();
        if !args.root.is_dir() {
            eprintln!(
                "error: {} is not a folder (run ./build.sh serve to build the page)",
                args.root.display()
            );
            std::process::exit(1);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(async {
            let listener = match tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: cannot bind 127.0.0.1:{}: {e}", args.port);
                    std::process::exit(1);
                }
            };
            let addr = listener.local_addr().expect("bound address");
            println!("pixelwise: serving {} at http://{addr}/", args.root.display());
            if let Err(e) = axum::serve(listener, app(args.root)).await {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        });
    }

    #[cfg(test)]
    mod tests {
        use super::escapes_root;

        #[test]
        fn dot_dot_in_any_encoding_escapes() {
            for p in [
                "/../Cargo.toml",
                "/%2e%2e/Cargo.toml",
                "/%2E%2E/x",
                "/a/%252e%252e/x",
                "/..%2fCargo.toml",
                "/a\\..\\b",
                "/C:/x",
            ] {
                assert!(escapes_root(p), "{p}");
            }
        }

        #[test]
        fn ordinary_paths_pass() {
            for p in ["/", "/index.html", "/pkg/pixelwise_bg.wasm", "/models/a..b.onnx", "/%20x.js"] {
                assert!(!escapes_root(p), "{p}");
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    server::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}
