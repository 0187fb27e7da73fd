//! A short-lived cache of rendered profile pages. A robot in a busy place is looked up by many
//! phones at once; each gets a page checked against the registry at most `PAGE_CACHE_MS`
//! earlier (one second by default), with its own CSP nonce put in on the way out. Nothing is
//! trusted longer, so any number of portal instances still serve the same registry.
//!
//! Checking is cheaper than rendering: once a page's time is up, the registry is asked again
//! (the one lookup the page would make), and only when the answer differs from the one the page
//! was rendered from is it rendered again, from that answer. A registry that changes little
//! costs a lookup per page a second, not a rendering.

use app::app::NONCE_HEADER;
use app::i18n::lang_from_headers;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use domain::{Lang, Lookup, RobotId};
use registry::services::LookupDone;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Bytes the cache keeps by default (`PAGE_CACHE_MB`), shared evenly between pages within
/// their time to live and renderings kept for checking. A profile is about 15 KB (9 KB of text,
/// 4 KB of it gzipped, 2 KB for the lookup it shows): some 4,000 robots' pages in each.
pub const DEFAULT_BYTES: u64 = 128 * 1024 * 1024;

/// Longest label token (`{KID}.{SIG}`, 4 + 1 + 103 characters) a kept page's address may carry.
const MAX_TOKEN_LEN: usize = 128;

/// How long a page nobody asks for is kept for checking: past this it is simply rendered again.
const IDLE: Duration = Duration::from_secs(600);

struct Page {
    /// Bytes this page holds, roughly (text, gzipped text, headers).
    size: u32,
    status: StatusCode,
    headers: HeaderMap,
    /// The body cut where the nonce of the request that rendered it was (split once when kept,
    /// not searched on every hit).
    parts: Vec<String>,
    /// The same parts gzipped once, to be joined around each request's nonce.
    gzip: Option<GzipParts>,
}

impl Page {
    fn new(status: StatusCode, headers: HeaderMap, parts: Vec<String>) -> Page {
        let gzip = GzipParts::new(&parts);
        let text: usize = parts.iter().map(|p| p.len() + 24).sum();
        let gzipped: usize = gzip
            .as_ref()
            .map_or(0, |g| g.parts.iter().map(|(b, _, _)| b.len() + 32).sum());
        let head: usize = headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 32)
            .sum();
        let size = u32::try_from(text + gzipped + head + 256).unwrap_or(u32::MAX);
        Page {
            size,
            status,
            headers,
            parts,
            gzip,
        }
    }

    /// This page as the answer to a request whose CSP nonce is `nonce`: gzipped when the
    /// request takes gzip, from the parts compressed when the page was kept (compressing the
    /// whole page again at every request was most of a cached page's cost).
    fn respond(&self, nonce: &str, gzip: bool) -> Response {
        let mut res = if let (true, Some(parts)) = (gzip, &self.gzip) {
            let mut res = Response::new(Body::from(parts.join(nonce)));
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            res.extensions_mut().insert(crate::assets::EncodingChosen);
            res
        } else {
            Response::new(Body::from(self.parts.join(nonce)))
        };
        *res.status_mut() = self.status;
        let headers = res.headers_mut();
        for (name, value) in &self.headers {
            headers.append(name, value.clone());
        }
        res
    }
}

/// A text cut in parts, each compressed once into raw deflate blocks that end on a byte
/// boundary (a sync flush), so a gzip member of the whole text with anything put between the
/// parts is these blocks with that text between them as a stored block, under a gzip header
/// and over a trailer whose checksum is combined from the parts' (RFC 1951 §3.2.4, RFC 1952).
struct GzipParts {
    /// Each part's deflate blocks, the last one final, and its CRC-32 and length.
    parts: Vec<(Vec<u8>, u32, u32)>,
}

thread_local! {
    /// One deflate compressor per thread, reset for each part: a new one is a large zeroed
    /// allocation, and pages are kept thousands of times a second under load.
    static DEFLATE: std::cell::RefCell<flate2::Compress> =
        std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::fast(), false));
}

/// `text` as raw deflate blocks: the last part's final, any other's ending on a byte boundary
/// (a sync flush) so more blocks can follow.
fn deflate(text: &[u8], last: bool) -> Option<Vec<u8>> {
    use flate2::{FlushCompress, Status};
    DEFLATE.with_borrow_mut(|c| {
        c.reset();
        let flush = if last {
            FlushCompress::Finish
        } else {
            FlushCompress::Sync
        };
        let mut out = Vec::with_capacity(text.len() / 2 + 64);
        loop {
            let read = c.total_in() as usize;
            let status = c.compress_vec(&text[read..], &mut out, flush);
            let room_left = out.len() < out.capacity();
            match status {
                Ok(Status::StreamEnd) => break,
                // Everything read and flushed with room to spare: the sync flush is complete.
                Ok(_) if !last && c.total_in() as usize == text.len() && room_left => break,
                Ok(_) => out.reserve(out.capacity().max(64)),
                Err(e) => {
                    // Not expected with a reset stream and a growing buffer; the page is then
                    // sent uncompressed, never broken.
                    tracing::error!(error = %e, "could not compress a page");
                    return None;
                }
            }
        }
        Some(out)
    })
}

const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

impl GzipParts {
    fn new(parts: &[String]) -> Option<GzipParts> {
        let last = parts.len().saturating_sub(1);
        let parts = parts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let blocks = deflate(text.as_bytes(), i == last)?;
                Some((blocks, crc32fast::hash(text.as_bytes()), text.len() as u32))
            })
            .collect::<Option<_>>()?;
        Some(GzipParts { parts })
    }

    /// The gzipped text with `between` put between every two parts.
    fn join(&self, between: &str) -> Vec<u8> {
        let between = between.as_bytes();
        // Stored blocks hold at most 65,535 bytes; a nonce is a few dozen.
        let between = &between[..between.len().min(u16::MAX as usize)];
        let size: usize = self
            .parts
            .iter()
            .map(|(b, _, _)| b.len() + 5 + between.len())
            .sum();
        let mut out = Vec::with_capacity(GZIP_HEADER.len() + size + 8);
        out.extend_from_slice(&GZIP_HEADER);
        let mut crc = crc32fast::Hasher::new();
        let mut total: u64 = 0;
        let between_crc = crc32fast::hash(between);
        for (i, (blocks, part_crc, len)) in self.parts.iter().enumerate() {
            if i > 0 {
                // A stored block, not final: header bits 000 padded to a byte, LEN, NLEN.
                let len = between.len() as u16;
                out.push(0);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&(!len).to_le_bytes());
                out.extend_from_slice(between);
                crc.combine(&crc32fast::Hasher::new_with_initial_len(
                    between_crc,
                    between.len() as u64,
                ));
                total += between.len() as u64;
            }
            out.extend_from_slice(blocks);
            crc.combine(&crc32fast::Hasher::new_with_initial_len(
                *part_crc,
                *len as u64,
            ));
            total += *len as u64;
        }
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out
    }
}

/// A kept page's canonical address (path and the one query it may have) and language. Not the
/// host: requests reach the cache only for the registry's own hosts, and pages are the same
/// on each.
type Key = (String, Lang);

/// What the registry says a profile page shows now; `None` when it cannot tell (logged by the
/// check; the page is then told so, and shows its error without asking again).
type Check =
    Arc<dyn Fn(RobotId) -> Pin<Box<dyn Future<Output = Option<Lookup>> + Send>> + Send + Sync>;

/// A page as last rendered, and the lookup it was rendered from.
struct Checked {
    lookup: Lookup,
    page: Arc<Page>,
}

#[derive(Clone)]
pub struct PageCache {
    /// Pages checked within the time-to-live, keyed by canonical address and language.
    pages: moka::future::Cache<Key, Arc<Page>>,
    /// The last rendering of each profile, kept past its time to be checked and reused.
    checked: moka::future::Cache<Key, Arc<Checked>>,
    check: Check,
}

impl PageCache {
    /// Pages kept for `ttl`, checked against `registry`, `bytes` of them at most.
    pub fn new(ttl: Duration, bytes: u64, registry: registry::Registry) -> PageCache {
        PageCache::with_check(
            ttl,
            bytes,
            Arc::new(move |id| {
                let registry = registry.clone();
                Box::pin(async move {
                    // A failure is logged where it happens (`registry::Error`).
                    registry::services::lookup(&registry, &id, &registry::services::today())
                        .await
                        .ok()
                })
            }),
        )
    }

    fn with_check(ttl: Duration, bytes: u64, check: Check) -> PageCache {
        let key_size = |k: &Key| k.0.len() as u32 + 64;
        PageCache {
            pages: moka::future::Cache::builder()
                .max_capacity(bytes / 2)
                .weigher(move |k: &Key, page: &Arc<Page>| key_size(k).saturating_add(page.size))
                .time_to_live(ttl)
                .build(),
            checked: moka::future::Cache::builder()
                .max_capacity(bytes / 2)
                .weigher(move |k: &Key, last: &Arc<Checked>| {
                    // The lookup is about 2 KB; the page may be shared with `pages`.
                    key_size(k)
                        .saturating_add(last.page.size)
                        .saturating_add(2048)
                })
                .time_to_idle(IDLE)
                .build(),
            check,
        }
    }

    /// Bytes kept now (an upper bound: a page may be counted in both of its caches).
    pub async fn bytes(&self) -> u64 {
        self.pages.run_pending_tasks().await;
        self.checked.run_pending_tasks().await;
        self.pages.weighted_size() + self.checked.weighted_size()
    }
}

/// The canonical address of a profile request, when it is one the cache keeps: `/r/{ID}`, or
/// a label's `/R/{ID}/{KID}.{SIG}` (or `/r/…`), the ID in canonical form, with `?label=unsigned`
/// as the only query that changes the page (any other is dropped). Anything else (another
/// form of an ID, more segments, an overlong token) is answered with a redirect or an error
/// page and not kept. With the address, the robot it shows.
fn canonical(uri: &axum::http::Uri) -> Option<(String, RobotId)> {
    let path = uri.path();
    // Whether this is a profile at all is the one rule the app's routes and the lookup box
    // follow (`domain::link::profile_path`); the cache then keeps only the address written
    // exactly: `/r/` or `/R/`, the ID in canonical form, no empty segment, no backslash.
    let (segment, token) = domain::link::profile_path(path)?;
    let id = RobotId::parse(segment).ok()?;
    let exact_len = "/r/".len() + segment.len() + token.map_or(0, |t| 1 + t.len());
    if path.len() != exact_len || path.contains('\\') || id.as_str() != segment {
        return None;
    }
    if let Some(token) = token {
        let token_ok = !token.is_empty()
            && token.len() <= MAX_TOKEN_LEN
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.');
        if !token_ok {
            return None;
        }
    }
    let unsigned = uri.query().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .take(16)
            .any(|(k, v)| k == "label" && v == "unsigned")
    });
    let address = if unsigned {
        format!("{path}?label=unsigned")
    } else {
        path.to_string()
    };
    Some((address, id))
}

fn cacheable(status: StatusCode) -> bool {
    // Only answers that depend on the registry alone; a 503 must not outlive its cause.
    matches!(status.as_u16(), 200 | 308 | 400 | 404)
}

/// Serve `/r/{ID}` from the cache when a page checked within the time-to-live exists; else
/// check the last rendering against the registry, and render again only if it changed.
/// Requests for a page that is being checked or rendered wait for that one (a crowd scanning
/// the same label when its copy expires costs one lookup, not one each).
pub async fn middleware(
    // Shared, not cloned: the state is copied for every request.
    State(cache): State<Option<Arc<PageCache>>>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(cache) = cache else {
        return next.run(req).await;
    };
    // A signed-in person's page may hold what is theirs alone: never served from, nor kept
    // in, the cache that everyone shares.
    if req.method() != Method::GET || crate::middleware::session::carries_session(req.headers()) {
        return next.run(req).await;
    }
    let Some((address, id)) = canonical(req.uri()) else {
        return next.run(req).await;
    };
    let nonce = req
        .headers()
        .get(NONCE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_default();
    if nonce.is_empty() {
        return next.run(req).await;
    }
    // The page is rendered for the canonical address, so that what it shows (the language
    // switcher's way back, say) is the same for every request it is kept for.
    if let Ok(uri) = address.parse() {
        *req.uri_mut() = uri;
    }
    let key = (address, lang_from_headers(req.headers()));
    let gzip = crate::assets::accepts(req.headers(), "gzip");
    let leader_nonce = nonce.clone();
    let pages = cache.pages.clone();
    // An answer that must not be kept comes back as the error, shared with whoever waited.
    let rendered = pages
        .try_get_with(key.clone(), async move {
            let now = LookupDone {
                lookup: (cache.check)(id.clone()).await,
                id,
            };
            if let Some(lookup) = &now.lookup {
                if let Some(last) = cache.checked.get(&key).await {
                    if last.lookup == *lookup {
                        return Ok(last.page.clone());
                    }
                }
            }
            req.extensions_mut().insert(now.clone());
            let page = render(req, next, &leader_nonce).await;
            // A cookie set for one visitor must not be handed to everyone.
            if !cacheable(page.status) || page.headers.contains_key(header::SET_COOKIE) {
                return Err(page);
            }
            let page = Arc::new(page);
            if let Some(lookup) = now.lookup {
                let last = Checked {
                    lookup,
                    page: page.clone(),
                };
                cache.checked.insert(key, Arc::new(last)).await;
            }
            Ok(page)
        })
        .await;
    match rendered {
        Ok(page) => page.respond(&nonce, gzip),
        Err(page) => page.respond(&nonce, gzip),
    }
}

/// Render the page for `req` and keep it whole, cut where its nonce is.
async fn render(req: Request, next: Next, nonce: &str) -> Page {
    let res = next.run(req).await;
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 1024 * 1024).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "could not read a rendered page");
            return Page::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                HeaderMap::new(),
                Vec::new(),
            );
        }
    };
    // The page differs by language, which comes from these request headers, and is sent
    // gzipped or not.
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("cookie, accept-language, accept-encoding"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let text = String::from_utf8_lossy(&bytes);
    Page::new(
        parts.status,
        parts.headers,
        text.split(nonce).map(str::to_string).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> String {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .expect("a valid gzip member");
        text
    }

    #[test]
    fn gzipped_parts_joined_around_a_nonce_are_the_page_gzipped() {
        let long: String = (0..40_000).map(|i| format!("<p>{i} 机器人</p>")).collect();
        let cases: Vec<Vec<String>> = vec![
            vec!["<html>no nonce at all</html>".into()],
            vec!["<script nonce=\"".into(), "\">go()</script>".into()],
            vec!["".into(), "".into(), "".into()],
            vec![long.clone(), "\"><p>中文</p>".into(), long],
        ];
        for parts in cases {
            let gz = GzipParts::new(&parts).unwrap();
            for nonce in ["", "abc-DEF_123", "x".repeat(70_000).as_str()] {
                // What `join` does with a nonce too long for one stored block (never the
                // case: ours are 22 characters) is to cut it, never to break the stream.
                let cut = &nonce[..nonce.len().min(u16::MAX as usize)];
                assert_eq!(gunzip(&gz.join(nonce)), parts.join(cut));
            }
        }
    }

    #[test]
    fn a_kept_page_answers_gzip_only_to_who_takes_it() {
        let page = Page::new(
            StatusCode::OK,
            HeaderMap::new(),
            vec!["<b nonce=\"".into(), "\">hi</b>".into()],
        );
        let res = page.respond("N1", true);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        assert!(res
            .extensions()
            .get::<crate::assets::EncodingChosen>()
            .is_some());
        let res = page.respond("N2", false);
        assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
    }

    /// A profile route whose every rendering is counted, and which shows the lookup the page
    /// cache made for it (or that it had to look up itself).
    fn counted_profiles(
        cache: PageCache,
        renders: Arc<std::sync::atomic::AtomicUsize>,
    ) -> axum::Router {
        use axum::routing::get;
        let page = move |req: Request| {
            let renders = renders.clone();
            async move {
                renders.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let nonce = req.headers()[NONCE_HEADER].to_str().unwrap().to_string();
                let shown = match req.extensions().get::<LookupDone>() {
                    Some(LookupDone {
                        lookup:
                            Some(Lookup::NotRegistered {
                                regulator_hotline, ..
                            }),
                        ..
                    }) => format!("given {regulator_hotline}"),
                    Some(LookupDone { lookup: None, .. }) => "told it is down".to_string(),
                    Some(_) => "given a profile".to_string(),
                    None => "looked up itself".to_string(),
                };
                format!("<script nonce=\"{nonce}\"></script><p>{shown}</p>")
            }
        };
        axum::Router::new().route("/r/{*rest}", get(page)).layer(
            axum::middleware::from_fn_with_state(Some(Arc::new(cache)), middleware),
        )
    }

    async fn fetch(router: &axum::Router, path: &str, nonce: &str) -> String {
        fetch_with(router, path, nonce, None).await
    }

    /// [`fetch`] with a `Cookie` header.
    async fn fetch_with(
        router: &axum::Router,
        path: &str,
        nonce: &str,
        cookie: Option<&str>,
    ) -> String {
        use tower::ServiceExt;
        let mut req = Request::builder()
            .uri(path)
            .header(header::HOST, "portal.test")
            .header(NONCE_HEADER, nonce);
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        let req = req.body(Body::empty()).unwrap();
        let res = router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[test]
    fn only_canonical_profile_addresses_are_kept() {
        let id = "CNJARZJA033200000000000000001";
        let canon = |a: &str| canonical(&a.parse().unwrap()).map(|(address, _)| address);
        assert_eq!(canon(&format!("/r/{id}")), Some(format!("/r/{id}")));
        assert_eq!(canon(&format!("/r/{id}?utm=x&y")), Some(format!("/r/{id}")));
        assert_eq!(
            canon(&format!("/r/{id}?a=1&label=unsigned")),
            Some(format!("/r/{id}?label=unsigned"))
        );
        assert_eq!(
            canon(&format!("/R/{id}/ABCD.EFGH")),
            Some(format!("/R/{id}/ABCD.EFGH"))
        );
        assert_eq!(canon(&format!("/r/{}", id.to_lowercase())), None);
        assert_eq!(canon(&format!("/r/{id}/ABCD.EFGH/more")), None);
        assert_eq!(
            canon(&format!("/r/{id}/{}", "A".repeat(MAX_TOKEN_LEN + 1))),
            None
        );
        assert_eq!(canon(&format!("/r/{id}/%3Cscript%3E")), None);
        assert_eq!(canon("/scan"), None);
        // Other ways of writing a profile's address are the page's to redirect, not kept.
        assert_eq!(canon(&format!("//r/{id}")), None);
        assert_eq!(canon(&format!("/r//{id}")), None);
        assert_eq!(canon(&format!("/r/{id}/")), None);
    }

    #[tokio::test]
    async fn the_cache_keeps_no_more_bytes_than_its_bound() {
        const BOUND: u64 = 256 * 1024;
        let check: Check = Arc::new(|_id| {
            Box::pin(async {
                Some(Lookup::NotRegistered {
                    suggestions: Vec::new(),
                    regulator_hotline: "110".into(),
                })
            })
        });
        let cache = Arc::new(PageCache::with_check(Duration::from_secs(60), BOUND, check));
        // Pages of 4 KB each at distinct addresses: 200 of them would be 800 KB.
        let filler = "x".repeat(4096);
        let router = axum::Router::new()
            .route(
                "/r/{*rest}",
                axum::routing::get(move || {
                    let filler = filler.clone();
                    async move { filler }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Some(cache.clone()),
                middleware,
            ));
        for i in 0..200u32 {
            let id = format!("CNJARZJA0332{i:017}");
            fetch(&router, &format!("/r/{id}/K{i}.S"), "n").await;
        }
        let kept = cache.bytes().await;
        assert!(kept > BOUND / 4, "the cache kept pages: {kept}");
        assert!(kept <= BOUND, "{kept} bytes kept, bound {BOUND}");
    }

    #[tokio::test]
    async fn an_expired_page_is_rendered_again_only_when_the_registry_changed() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use std::sync::Mutex;
        const TTL: Duration = Duration::from_millis(60);
        let id = "CNJARZJA033200000000000000001";
        assert!(canonical(&format!("/r/{id}").parse().unwrap()).is_some());

        // The registry: a hotline the test changes (none: the registry is down), and how
        // often it was asked.
        let hotline = Arc::new(Mutex::new(Some("110".to_string())));
        let checks = Arc::new(AtomicUsize::new(0));
        let check: Check = {
            let (hotline, checks) = (hotline.clone(), checks.clone());
            Arc::new(move |_id| {
                checks.fetch_add(1, SeqCst);
                let answer = hotline.lock().unwrap().clone();
                Box::pin(async move {
                    answer.map(|regulator_hotline| Lookup::NotRegistered {
                        suggestions: Vec::new(),
                        regulator_hotline,
                    })
                })
            })
        };
        let renders = Arc::new(AtomicUsize::new(0));
        let router = counted_profiles(
            PageCache::with_check(TTL, DEFAULT_BYTES, check),
            renders.clone(),
        );
        let path = format!("/r/{id}");

        // First sight: checked, rendered from the answer of that check (no second lookup).
        let first = fetch(&router, &path, "n1").await;
        assert_eq!(first, "<script nonce=\"n1\"></script><p>given 110</p>");
        assert_eq!((checks.load(SeqCst), renders.load(SeqCst)), (1, 1));

        // Within the time-to-live: neither checked nor rendered.
        let again = fetch(&router, &path, "n2").await;
        assert_eq!(again, "<script nonce=\"n2\"></script><p>given 110</p>");
        assert_eq!((checks.load(SeqCst), renders.load(SeqCst)), (1, 1));

        // Expired, registry unchanged: checked, and the same rendering served.
        tokio::time::sleep(TTL * 3).await;
        let unchanged = fetch(&router, &path, "n3").await;
        assert_eq!(unchanged, "<script nonce=\"n3\"></script><p>given 110</p>");
        assert_eq!((checks.load(SeqCst), renders.load(SeqCst)), (2, 1));

        // Expired, registry changed: rendered again, from the new answer.
        *hotline.lock().unwrap() = Some("112".to_string());
        tokio::time::sleep(TTL * 3).await;
        let changed = fetch(&router, &path, "n4").await;
        assert_eq!(changed, "<script nonce=\"n4\"></script><p>given 112</p>");
        assert_eq!((checks.load(SeqCst), renders.load(SeqCst)), (3, 2));

        // An address that is not the canonical one is only rendered (it answers with a
        // redirect or an error page): no lookup is made for it.
        let tidy = fetch(&router, &format!("/r/{}", id.to_lowercase()), "n5").await;
        assert!(tidy.contains("looked up itself"), "{tidy}");
        assert_eq!((checks.load(SeqCst), renders.load(SeqCst)), (3, 3));

        // Expired while the registry is down: the page is told so rather than left to ask
        // again (its answer, an error, is not kept: the real page answers 503).
        *hotline.lock().unwrap() = None;
        tokio::time::sleep(TTL * 3).await;
        let down = fetch(&router, &path, "n6").await;
        assert_eq!(down, "<script nonce=\"n6\"></script><p>told it is down</p>");
        assert_eq!((checks.load(SeqCst), renders.load(SeqCst)), (4, 4));
    }

    /// A registry that always answers "not registered, hotline 110".
    fn steady_check() -> Check {
        Arc::new(|_id| {
            Box::pin(async {
                Some(Lookup::NotRegistered {
                    suggestions: Vec::new(),
                    regulator_hotline: "110".into(),
                })
            })
        })
    }

    #[tokio::test]
    async fn a_signed_in_visitor_is_never_served_from_the_cache_nor_stored_in_it() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        let renders = Arc::new(AtomicUsize::new(0));
        let cache = PageCache::with_check(Duration::from_secs(60), DEFAULT_BYTES, steady_check());
        let router = counted_profiles(cache, renders.clone());
        let path = "/r/CNJARZJA033200000000000000001";
        let session = format!(
            "lang=en; {}=token",
            crate::middleware::session::SESSION_COOKIE
        );
        let secure = format!(
            "{}=token",
            crate::middleware::session::SECURE_SESSION_COOKIE
        );

        // Signed in: rendered for this request alone, every time.
        fetch_with(&router, path, "s1", Some(&session)).await;
        fetch_with(&router, path, "s2", Some(&secure)).await;
        assert_eq!(renders.load(SeqCst), 2);
        // Nothing was kept for anyone else: the first anonymous visitor has it rendered.
        fetch(&router, path, "a1").await;
        assert_eq!(renders.load(SeqCst), 3);
        // The anonymous page is kept, for anonymous visitors only (a language cookie is not a
        // session).
        fetch_with(&router, path, "a2", Some("lang=en")).await;
        assert_eq!(renders.load(SeqCst), 3);
        fetch_with(&router, path, "s3", Some(&session)).await;
        assert_eq!(renders.load(SeqCst), 4);
    }

    #[tokio::test]
    async fn a_page_that_sets_a_cookie_is_never_kept() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use tower::ServiceExt;
        let renders = Arc::new(AtomicUsize::new(0));
        let cache = PageCache::with_check(Duration::from_secs(60), DEFAULT_BYTES, steady_check());
        let counted = renders.clone();
        let router = axum::Router::new()
            .route(
                "/r/{*rest}",
                axum::routing::get(move || {
                    let n = counted.fetch_add(1, SeqCst);
                    async move { ([(header::SET_COOKIE, format!("visitor={n}"))], "page") }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Some(Arc::new(cache)),
                middleware,
            ));
        let path = "/r/CNJARZJA033200000000000000001";
        for (i, nonce) in ["n1", "n2", "n3"].into_iter().enumerate() {
            let req = Request::builder()
                .uri(path)
                .header(header::HOST, "portal.test")
                .header(NONCE_HEADER, nonce)
                .body(Body::empty())
                .unwrap();
            let res = router.clone().oneshot(req).await.unwrap();
            // Each visitor gets the cookie set for them, never another's.
            assert_eq!(res.headers()[header::SET_COOKIE], format!("visitor={i}"));
        }
        assert_eq!(renders.load(SeqCst), 3);
    }
}
