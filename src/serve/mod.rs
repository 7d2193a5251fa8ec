//! `cmgelog serve RESULTS…`: the support team's page over what `watch` (or `batch --index`)
//! produced: the inbox newest first, each bundle's report, a search by serial, MAC, UUID or
//! host name, the fleet's causes by count, and a diff of two bundles; Chinese or English by
//! the browser's `Accept-Language`.
//!
//! Read-only: GET only, the indexes opened read-only. Every answer carries a strict
//! Content-Security-Policy: the pages have no script at all, and a bundle's HTML report may run
//! only its own inline sort script, allowed by hash. Bundle text is escaped where it is
//! rendered ([`pages`]). Loopback by default; another address needs `--auth` (a user file of
//! Argon2 hashes, [`auth`]) or the statement that a reverse proxy authenticates in front.

pub mod auth;
pub mod pages;
pub mod store;

use crate::analysis;
use crate::bundle::Limits;
use crate::fingerprint::{diff, Fingerprint};
use crate::i18n::Lang;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use store::{Source, Store};

pub struct Options {
    pub sources: Vec<Source>,
    /// Rule titles in both languages, by rule id: the index holds them in the language the
    /// analysis ran in, the page shows the reader's.
    pub titles: HashMap<String, crate::i18n::Localized>,
    pub listen: SocketAddr,
    pub users: Option<auth::Users>,
    pub limits: Limits,
}

struct App {
    store: Store,
    titles: HashMap<String, crate::i18n::Localized>,
    users: Option<auth::Users>,
    limits: Limits,
}

/// The policy of the pages: nothing but this origin's style sheet and forms to itself.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                        base-uri 'none'; frame-ancestors 'none'";

/// Serves until `shutdown` completes. `ready` gets the bound address (port 0 picks one).
pub async fn run(
    opts: Options,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Arc::new(App {
        store: Store { sources: opts.sources },
        titles: opts.titles,
        users: opts.users,
        limits: opts.limits,
    });
    let router = Router::new()
        .route("/", get(inbox))
        .route("/style.css", get(style))
        .route("/search", get(search))
        .route("/causes", get(causes))
        .route("/causes/{rule}", get(cause))
        .route("/report/{name}", get(report))
        .route("/report/{name}/{kind}", get(report_file))
        .route("/diff", get(compare))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(opts.listen).await?;
    ready(listener.local_addr()?);
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

/// Authentication (when configured), GET only, and the headers every answer carries.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if req.method() != axum::http::Method::GET && req.method() != axum::http::Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    if let Some(users) = &app.users {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let users = users.clone();
        // Argon2 takes tens of milliseconds on purpose: not on the I/O thread.
        let ok = tokio::task::spawn_blocking(move || users.check(given.as_deref()))
            .await
            .unwrap_or(false);
        if !ok {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"cmgelog\", charset=\"UTF-8\"")],
                "authentication required\n",
            )
                .into_response();
        }
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(PAGE_CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The browser's language: the first of `Accept-Language` (by weight) that is Chinese or
/// English; English when neither is asked for.
pub fn language(headers: &HeaderMap) -> Lang {
    let Some(value) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return Lang::En;
    };
    let mut tags: Vec<(f32, String)> = value
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let tag = it.next()?.trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    // Stable: equal weights keep the browser's order.
    tags.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    for (_, tag) in tags {
        if tag == "zh" || tag.starts_with("zh-") {
            return Lang::Zh;
        }
        if tag == "en" || tag.starts_with("en-") {
            return Lang::En;
        }
    }
    Lang::En
}

fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// Runs store work off the I/O thread; a failure becomes a page naming it.
async fn with_store<T: Send + 'static>(
    app: &Arc<App>,
    lang: Lang,
    work: impl FnOnce(&App) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let app = Arc::clone(app);
    match tokio::task::spawn_blocking(move || work(&app)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::message(lang, "无法读取索引", "Cannot read the index", &e.to_string()),
        )),
        Err(e) => Err(html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::message(lang, "内部错误", "Internal error", &e.to_string()),
        )),
    }
}

impl App {
    /// A rule's title in `lang`, when the rule is known here.
    fn title(&self, rule: Option<&str>, lang: Lang) -> Option<String> {
        self.titles.get(rule?).map(|t| t.get(lang).to_string())
    }

    fn localize(&self, rows: &mut [store::Row], lang: Lang) {
        for r in rows {
            if let Some(t) = self.title(r.rule.as_deref(), lang) {
                r.title = Some(t);
            }
        }
    }
}

async fn inbox(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let lang = language(&headers);
    match with_store(&app, lang, |a| a.store.inbox(500)).await {
        Ok(mut rows) => {
            app.localize(&mut rows, lang);
            html(StatusCode::OK, pages::inbox(lang, &rows))
        }
        Err(r) => r,
    }
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], pages::STYLE).into_response()
}

async fn search(State(app): State<Arc<App>>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let lang = language(&headers);
    let text = q.get("q").cloned().unwrap_or_default();
    let query = text.clone();
    match with_store(&app, lang, move |a| a.store.search(&query)).await {
        Ok(mut found) => {
            for f in &mut found {
                app.localize(std::slice::from_mut(&mut f.row), lang);
            }
            html(StatusCode::OK, pages::search(lang, &text, &found))
        }
        Err(r) => r,
    }
}

async fn causes(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let lang = language(&headers);
    match with_store(&app, lang, |a| a.store.causes()).await {
        Ok(mut causes) => {
            for c in &mut causes {
                if let Some(t) = app.title(Some(&c.rule), lang) {
                    c.title = t;
                }
            }
            html(StatusCode::OK, pages::causes(lang, &causes))
        }
        Err(r) => r,
    }
}

async fn cause(State(app): State<Arc<App>>, headers: HeaderMap, UrlPath(rule): UrlPath<String>) -> Response {
    let lang = language(&headers);
    let r = rule.clone();
    match with_store(&app, lang, move |a| a.store.with_cause(&r)).await {
        Ok(mut rows) => {
            app.localize(&mut rows, lang);
            html(StatusCode::OK, pages::cause(lang, &rule, &rows))
        }
        Err(r) => r,
    }
}

async fn not_found(headers: HeaderMap) -> Response {
    let lang = language(&headers);
    html(
        StatusCode::NOT_FOUND,
        pages::message(lang, "没有这个页面", "No such page", ""),
    )
}

/// A results name as `watch` makes them (see `watch::results::name`): nothing that could
/// leave the folder.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The results folder holding the reports of `name`.
async fn results_dir(app: &Arc<App>, lang: Lang, name: &str) -> Result<PathBuf, Response> {
    let missing = || {
        html(
            StatusCode::NOT_FOUND,
            pages::message(lang, "没有这个包", "No such bundle", ""),
        )
    };
    if !valid_name(name) {
        return Err(missing());
    }
    let n = name.to_string();
    match with_store(app, lang, move |a| Ok(a.store.arrival(&n)?.map(|(_, s)| s.dir.clone()))).await? {
        Some(dir) => Ok(dir),
        None => Err(missing()),
    }
}

/// A bundle's HTML report, in the browser's language when `watch` wrote that one too, under a
/// policy that lets its own inline style and script run (by hash) and nothing else.
async fn report(State(app): State<Arc<App>>, headers: HeaderMap, UrlPath(name): UrlPath<String>) -> Response {
    let lang = language(&headers);
    let dir = match results_dir(&app, lang, &name).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let tag = crate::watch::results::tag(lang);
    let text = std::fs::read_to_string(dir.join(format!("{name}.{tag}.html")))
        .or_else(|_| std::fs::read_to_string(dir.join(format!("{name}.html"))));
    match text {
        Ok(body) => {
            let csp = report_csp(&body);
            let mut resp = html(StatusCode::OK, body);
            if let Ok(v) = HeaderValue::from_str(&csp) {
                resp.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
            }
            resp
        }
        Err(e) => html(
            StatusCode::NOT_FOUND,
            pages::message(lang, "报告文件缺失", "The report file is missing", &e.to_string()),
        ),
    }
}

/// The JSON report or the Markdown reply, as text.
async fn report_file(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    UrlPath((name, kind)): UrlPath<(String, String)>,
) -> Response {
    let lang = language(&headers);
    let content_type = match kind.as_str() {
        "json" => "application/json; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        _ => return not_found(headers).await,
    };
    let dir = match results_dir(&app, lang, &name).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match std::fs::read(dir.join(format!("{name}.{kind}"))) {
        Ok(body) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        Err(e) => html(
            StatusCode::NOT_FOUND,
            pages::message(lang, "报告文件缺失", "The report file is missing", &e.to_string()),
        ),
    }
}

/// `script-src` and `style-src` with the hash of each inline block of the page.
fn report_csp(page: &str) -> String {
    let hashes = |tag: &str| -> String {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let mut out = String::new();
        let mut rest = page;
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            let Some(end) = after.find(&close) else { break };
            use base64::Engine;
            let digest = Sha256::digest(&after.as_bytes()[..end]);
            out.push_str(&format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
            rest = &after[end + close.len()..];
        }
        if out.is_empty() {
            " 'none'".to_string()
        } else {
            out
        }
    };
    format!(
        "default-src 'none'; script-src{}; style-src{}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        hashes("script"),
        hashes("style")
    )
}

async fn compare(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = language(&headers);
    let (Some(a), Some(b)) = (q.get("a").cloned(), q.get("b").cloned()) else {
        return html(
            StatusCode::BAD_REQUEST,
            pages::message(lang, "请选择两个包", "Choose two bundles", ""),
        );
    };
    let found = with_store(&app, lang, move |app| {
        let ra = app.store.arrival(&a)?.map(|(r, _)| r);
        let rb = app.store.arrival(&b)?.map(|(r, _)| r);
        let (Some(ra), Some(rb)) = (ra, rb) else {
            return Ok(None);
        };
        let fa = app.store.findings_of(&ra.path)?;
        let fb = app.store.findings_of(&rb.path)?;
        // The identity comes from the bundles themselves, where they still are.
        let fp = |path: &str| {
            let (m, errors) = analysis::machine_only(&[path], &app.limits);
            (Fingerprint::of(&m), errors.len())
        };
        let ((pa, ea), (pb, eb)) = (fp(&ra.path), fp(&rb.path));
        let mut text = crate::report::fingerprint::render_diff(&pa, &pb, &diff(&pa, &pb), lang);
        if ea + eb > 0 {
            text.push_str(if lang.is_zh() {
                "\n（有文件无法读取：原始包可能已被移走。）\n"
            } else {
                "\n(Some files could not be read: the original bundle may have been moved.)\n"
            });
        }
        Ok(Some((ra, rb, text, fa, fb)))
    })
    .await;
    match found {
        Ok(Some((mut ra, mut rb, text, mut fa, mut fb))) => {
            app.localize(std::slice::from_mut(&mut ra), lang);
            app.localize(std::slice::from_mut(&mut rb), lang);
            for f in fa.iter_mut().chain(fb.iter_mut()) {
                if let Some(t) = app.title(Some(&f.0), lang) {
                    f.2 = t;
                }
            }
            html(StatusCode::OK, pages::diff(lang, &ra, &rb, &text, &fa, &fb))
        }
        Ok(None) => html(
            StatusCode::NOT_FOUND,
            pages::message(lang, "没有这个包", "No such bundle", ""),
        ),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang_of(v: &str) -> Lang {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(v).unwrap());
        language(&h)
    }

    #[test]
    fn the_browser_language_decides() {
        assert_eq!(lang_of("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(lang_of("en-US,en;q=0.9,zh-CN;q=0.8"), Lang::En);
        assert_eq!(lang_of("fr-FR, zh-TW;q=0.5"), Lang::Zh);
        assert_eq!(lang_of("en;q=0.2, zh;q=0.7"), Lang::Zh);
        assert_eq!(lang_of("de"), Lang::En);
    }

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        assert!(valid_name("CMGE-2026-0042-0123456789ab"));
        assert!(valid_name("案例_7-0123456789ab"));
        assert!(!valid_name("../index.sqlite"));
        assert!(!valid_name(".hidden"));
        assert!(!valid_name("a/b"));
        assert!(!valid_name(""));
    }

    #[test]
    fn the_report_policy_allows_exactly_its_own_inline_blocks() {
        let csp = report_csp("<style>a{}</style><script>x()</script><script>y()</script>");
        assert_eq!(csp.matches("'sha256-").count(), 3, "{csp}");
        assert!(!csp.contains("unsafe-inline"));
        assert!(report_csp("<p>no script</p>").contains("script-src 'none'"));
    }
}
