//! The site's static files, read once at start, gzipped once, served from memory with
//! validators and cache lifetimes that fit their names. Brotli copies (`X.br`, made at build
//! time by `robopass precompress`: too slow to make at every start) are served to browsers
//! that take them.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::Path;

#[derive(Clone)]
struct Asset {
    body: bytes::Bytes,
    gzip: Option<bytes::Bytes>,
    br: Option<bytes::Bytes>,
    content_type: HeaderValue,
    etag: HeaderValue,
    cache_control: HeaderValue,
}

/// Whether a file of `len` bytes named like `path` is worth compressing (text, scripts, wasm).
fn compressible(path: &Path, len: usize) -> bool {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text_like = mime.type_() == "text"
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "wasm" | "json" | "svg"
        )
        || mime.essence_str() == "image/svg+xml";
    text_like && len > 256
}

/// The brotli copy of `path`: `{path}.br`.
fn br_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".br");
    name.into()
}

/// Whether `copy` was made from the current `original` (not older than it).
fn fresh(copy: &Path, original: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(copy), modified(original)), (Some(c), Some(o)) if c >= o)
}

/// The site's own files under `root`, at any depth: not the brotli copies made of them (nor one
/// being written).
fn site_files(root: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if !path
                .extension()
                .is_some_and(|e| e == "br" || e == "br-partial")
            {
                files.push(path);
            }
        }
    }
    Ok(files)
}

/// Write a brotli copy (`X.br`, best quality) beside every compressible file under `root`
/// that lacks a fresh one. Returns how many were written.
pub fn precompress(root: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for path in site_files(root)? {
        let len = std::fs::metadata(&path)?.len() as usize;
        let copy = br_path(&path);
        if !compressible(&path, len) || fresh(&copy, &path) {
            continue;
        }
        let body = std::fs::read(&path)?;
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            size_hint: body.len(),
            ..Default::default()
        };
        brotli::BrotliCompress(&mut body.as_slice(), &mut out, &params)?;
        // Written beside, then renamed: a half-written copy is never served.
        let mut partial = copy.clone().into_os_string();
        partial.push("-partial");
        std::fs::write(&partial, &out)?;
        std::fs::rename(&partial, &copy)?;
        written += 1;
    }
    Ok(written)
}

/// Whether the request's `Accept-Encoding` takes `coding`.
pub(crate) fn accepts(request: &HeaderMap, coding: &str) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            // `br;q=0` means "not this one".
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

impl Asset {
    /// `body`, named like `path`, gzipped when that helps.
    fn new(path: &Path, body: Vec<u8>, cache: &'static str) -> std::io::Result<Asset> {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        let gzip = if compressible(path, body.len()) {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&body)?;
            let gz = enc.finish()?;
            (gz.len() < body.len()).then(|| bytes::Bytes::from(gz))
        } else {
            None
        };
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let content_type = if mime.type_() == "text" || mime.subtype() == "javascript" {
            format!("{}; charset=utf-8", mime.essence_str())
        } else {
            mime.essence_str().to_string()
        };
        Ok(Asset {
            body: body.into(),
            gzip,
            br: None,
            content_type: HeaderValue::from_str(&content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            etag: HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
                .unwrap_or(HeaderValue::from_static("\"0\"")),
            cache_control: HeaderValue::from_static(cache),
        })
    }
}

/// Marks an answer whose encoding is already chosen: a precompressed copy, or a file that
/// compressing would not shrink (an image, a font, random bytes). The compression layer leaves
/// such answers alone instead of compressing them again at every request.
#[derive(Clone, Copy, Debug)]
pub struct EncodingChosen;

#[derive(Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
    /// `{output_name}.{content hash}`: the name pages use for the build's CSS, JS and wasm.
    versioned_name: Option<String>,
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "public, max-age=0, must-revalidate";
const DAY: &str = "public, max-age=86400";

impl Assets {
    /// Load every file under `root`. The build's own CSS, JS and wasm (`{pkg_dir}/{output_name}.*`)
    /// are also served as `{output_name}.{hash}.*`, a name that changes whenever any of them
    /// changes, so pages can point at it and browsers may keep it for a year. Working the name
    /// out once here spares every page a read of cargo-leptos's hash file.
    pub fn load(root: &Path, pkg_dir: &str, output_name: &str) -> std::io::Result<Assets> {
        let mut assets = Assets::default();
        if root.is_dir() {
            assets.walk(root, pkg_dir)?;
        }
        let own: Vec<(&str, Asset)> = ["css", "js", "wasm"]
            .into_iter()
            .filter_map(|ext| {
                let asset = assets
                    .files
                    .get(&format!("/{pkg_dir}/{output_name}.{ext}"))?;
                Some((ext, asset.clone()))
            })
            .collect();
        if !own.is_empty() {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            for (_, asset) in &own {
                asset.body.hash(&mut hasher);
            }
            let versioned = format!("{output_name}.{:016x}", hasher.finish());
            for (ext, mut asset) in own {
                asset.cache_control = HeaderValue::from_static(IMMUTABLE);
                if ext == "wasm" {
                    // Leptos asks for `…_bg.wasm` when the server was not built by cargo-leptos
                    // (as in `cargo test`).
                    let bg = format!("/{pkg_dir}/{versioned}_bg.wasm");
                    assets.files.insert(bg, asset.clone());
                }
                assets
                    .files
                    .insert(format!("/{pkg_dir}/{versioned}.{ext}"), asset);
            }
            assets.point_split_loaders_at(pkg_dir, output_name, &versioned)?;
            assets.versioned_name = Some(versioned);
        }
        Ok(assets)
    }

    /// Code split out of the wasm (`cargo leptos build --split`) is fetched by a loader,
    /// `__wasm_split.*.js`, that imports the build's JS by its plain name. Pages load that JS by
    /// its versioned name, and a module imported under two names runs twice: the lazily loaded
    /// code would start a second, uninitialised copy of the app. The loader is served pointing
    /// at the versioned name instead.
    fn point_split_loaders_at(
        &mut self,
        pkg_dir: &str,
        output_name: &str,
        versioned: &str,
    ) -> std::io::Result<()> {
        let plain = format!("\"./{output_name}.js\"");
        let renamed = format!("\"./{versioned}.js\"");
        let prefix = format!("/{pkg_dir}/__wasm_split.");
        for (path, asset) in self.files.iter_mut() {
            if !(path.starts_with(&prefix) && path.ends_with(".js")) {
                continue;
            }
            let text = String::from_utf8_lossy(&asset.body);
            if text.contains(&plain) {
                let body = text.replace(&plain, &renamed).into_bytes();
                *asset = Asset::new(Path::new(path), body, REVALIDATE)?;
            }
        }
        Ok(())
    }

    /// The output name pages should use for the build's assets, when the site is built.
    pub fn versioned_name(&self) -> Option<&str> {
        self.versioned_name.as_deref()
    }

    fn walk(&mut self, root: &Path, pkg_dir: &str) -> std::io::Result<()> {
        for path in site_files(root)? {
            let rel = path
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let body = std::fs::read(&path)?;
            let in_pkg = rel.starts_with(&format!("{pkg_dir}/"));
            let cache = if in_pkg { REVALIDATE } else { DAY };
            let mut asset = Asset::new(&path, body, cache)?;
            let br = br_path(&path);
            if fresh(&br, &path) {
                let copy = std::fs::read(&br)?;
                asset.br = (copy.len() < asset.body.len()).then(|| copy.into());
            }
            self.files.insert(format!("/{rel}"), asset);
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
        let body = match (&asset.br, &asset.gzip) {
            (Some(br), _) if accepts(request, "br") => {
                builder = builder.header(header::CONTENT_ENCODING, "br");
                br.clone()
            }
            (_, Some(gz)) if accepts(request, "gzip") => {
                builder = builder.header(header::CONTENT_ENCODING, "gzip");
                gz.clone()
            }
            _ => asset.body.clone(),
        };
        builder
            .extension(EncodingChosen)
            .body(Body::from(body))
            .ok()
    }
}

/// `len` bytes that no compressor shrinks (xorshift noise), for tests.
#[cfg(test)]
pub(crate) fn incompressible(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).unwrap(),
        );
        h
    }

    #[test]
    fn accept_encoding_is_read_with_its_refusals() {
        assert!(accepts(&request("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&request("GZIP;q=0.5"), "gzip"));
        assert!(!accepts(&request("br;q=0, gzip"), "br"));
        assert!(!accepts(&request("brotli"), "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }

    #[test]
    fn files_compression_does_not_shrink_are_served_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        // Random bytes: gzip makes them larger, so no compressed copy is kept.
        let noise = incompressible(64 * 1024);
        std::fs::write(dir.path().join("photo.bin"), &noise).unwrap();
        std::fs::write(dir.path().join("noise.wasm"), &noise).unwrap();
        let assets = Assets::load(dir.path(), "pkg", "robopass").unwrap();
        for path in ["/photo.bin", "/noise.wasm"] {
            let resp = assets.response(path, &request("gzip, br")).unwrap();
            assert!(
                resp.headers().get(header::CONTENT_ENCODING).is_none(),
                "{path}"
            );
            assert!(
                resp.extensions().get::<EncodingChosen>().is_some(),
                "{path} is marked, so the compression layer leaves it alone"
            );
        }
    }

    #[test]
    fn only_a_fresh_brotli_copy_is_served() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pkg/app.js");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "export const x = 1;\n".repeat(100)).unwrap();
        assert_eq!(precompress(dir.path()).unwrap(), 1);
        assert_eq!(precompress(dir.path()).unwrap(), 0, "fresh copies are kept");
        let served = |assets: &Assets| {
            assets
                .response("/pkg/app.js", &request("br, gzip"))
                .unwrap()
                .headers()[header::CONTENT_ENCODING]
                .clone()
        };
        let assets = Assets::load(dir.path(), "pkg", "robopass").unwrap();
        assert_eq!(served(&assets), "br");
        assert!(assets.response("/pkg/app.js.br", &request("br")).is_none());

        // The file changes after its copy was made (a build without `precompress`): the stale
        // copy is not served.
        std::fs::write(&file, "export const y = 2;\n".repeat(100)).unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(later)
            .unwrap();
        let assets = Assets::load(dir.path(), "pkg", "robopass").unwrap();
        assert_eq!(served(&assets), "gzip");
    }
}
