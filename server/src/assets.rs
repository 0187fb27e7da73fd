//! The site's static files, read once at start, gzipped once, served from memory with
//! validators and cache lifetimes that fit their names.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::Path;

struct Asset {
    body: bytes::Bytes,
    gzip: Option<bytes::Bytes>,
    content_type: HeaderValue,
    etag: HeaderValue,
    cache_control: HeaderValue,
}

#[derive(Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, max-age=0, must-revalidate";
const DAY: &str = "public, max-age=86400";

impl Assets {
    /// Load every file under `root`. Files in `pkg_dir` named `{output_name}.{hash}.{ext}`
    /// (cargo-leptos `hash-files`) change name when they change, so they may be cached for a year.
    pub fn load(root: &Path, pkg_dir: &str, output_name: &str) -> std::io::Result<Assets> {
        let mut assets = Assets::default();
        if root.is_dir() {
            assets.walk(root, root, pkg_dir, output_name)?;
        }
        Ok(assets)
    }

    fn walk(
        &mut self,
        root: &Path,
        dir: &Path,
        pkg_dir: &str,
        output_name: &str,
    ) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                self.walk(root, &path, pkg_dir, output_name)?;
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let body = std::fs::read(&path)?;
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            let text_like = mime.type_() == "text"
                || matches!(
                    mime.subtype().as_str(),
                    "javascript" | "wasm" | "json" | "svg"
                )
                || mime.essence_str() == "image/svg+xml";
            let gzip = if text_like && body.len() > 256 {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                enc.write_all(&body)?;
                let gz = enc.finish()?;
                (gz.len() < body.len()).then(|| bytes::Bytes::from(gz))
            } else {
                None
            };
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            body.hash(&mut hasher);
            let in_pkg = rel.starts_with(&format!("{pkg_dir}/"));
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let hashed = file_name
                .strip_prefix(&format!("{output_name}."))
                .and_then(|rest| rest.split_once('.'))
                .is_some_and(|(hash, _ext)| hash.len() >= 16);
            let cache = if in_pkg && hashed {
                IMMUTABLE
            } else if in_pkg {
                REVALIDATE
            } else {
                DAY
            };
            let content_type = if mime.type_() == "text" || mime.subtype() == "javascript" {
                format!("{}; charset=utf-8", mime.essence_str())
            } else {
                mime.essence_str().to_string()
            };
            self.files.insert(
                format!("/{rel}"),
                Asset {
                    body: body.into(),
                    gzip,
                    content_type: HeaderValue::from_str(&content_type)
                        .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                    etag: HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
                        .unwrap_or(HeaderValue::from_static("\"0\"")),
                    cache_control: HeaderValue::from_static(cache),
                },
            );
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The response for `path`, or `None` when no such file exists.
    pub fn response(&self, path: &str, request: &HeaderMap) -> Option<Response> {
        let asset = self.files.get(path)?;
        let mut builder = Response::builder()
            .header(header::CONTENT_TYPE, asset.content_type.clone())
            .header(header::ETAG, asset.etag.clone())
            .header(header::CACHE_CONTROL, asset.cache_control.clone())
            .header(header::VARY, "accept-encoding");
        let fresh = request
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| v.as_bytes() == asset.etag.as_bytes());
        if fresh {
            return builder
                .status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
                .ok();
        }
        let wants_gzip = request
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        let body = match (&asset.gzip, wants_gzip) {
            (Some(gz), true) => {
                builder = builder.header(header::CONTENT_ENCODING, "gzip");
                gz.clone()
            }
            _ => asset.body.clone(),
        };
        builder.body(Body::from(body)).ok()
    }
}
