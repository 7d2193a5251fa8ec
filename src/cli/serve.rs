//! `cmgelog serve RESULTS…`: the support team's read-only page (see `cmgelog::serve`), and
//! `--add-user` to write its user file.

use super::{output, rules_cmd, upload, LimitOptions, RuleOptions};
use cmgelog::exit_code::ServeExit;
use cmgelog::i18n::Lang;
use cmgelog::serve::{self, auth, store::Source};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Examples and exit codes ([`ServeExit`]) are in its `--help` (cli/help.rs).
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Results folders written by `watch` (each with its index.sqlite).
    #[arg(value_name = "RESULTS")]
    pub results: Vec<PathBuf>,
    /// More indexes to read, e.g. written by `batch --index` (no reports, identifiers only).
    #[arg(long, value_name = "FILE")]
    pub index: Vec<PathBuf>,
    /// Address and port to listen on; anything but loopback needs --auth or --behind-proxy.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A user file of `user:$argon2id$…` lines: every request must log in (HTTP Basic).
    #[arg(long, value_name = "FILE")]
    pub auth: Option<PathBuf>,
    /// A reverse proxy in front authenticates the users (and adds TLS): allow a non-loopback
    /// address without --auth.
    #[arg(long)]
    pub behind_proxy: bool,
    /// Add this user to the --auth file (password from CMGELOG_PASSWORD or asked), then exit.
    #[arg(long, value_name = "NAME", requires = "auth")]
    pub add_user: Option<String>,
    #[command(flatten)]
    pub rules: RuleOptions,
    #[command(flatten)]
    pub limits: LimitOptions,
}

pub fn run(args: &ServeArgs, lang: Lang) -> ServeExit {
    let zh = lang.is_zh();
    if let (Some(user), Some(file)) = (&args.add_user, &args.auth) {
        return add_user(user, file, lang);
    }
    let mut sources = Vec::new();
    for dir in &args.results {
        sources.push(Source {
            dir: dir.clone(),
            index: dir.join("index.sqlite"),
        });
    }
    for index in &args.index {
        let dir = index.parent().map(PathBuf::from).unwrap_or_default();
        sources.push(Source {
            dir,
            index: index.clone(),
        });
    }
    if sources.is_empty() {
        output::error(
            lang,
            "请给出结果文件夹或 --index",
            "give a results folder or --index",
            "RESULTS",
        );
        return ServeExit::CannotStart;
    }
    for s in &sources {
        if !s.index.is_file() {
            output::error(lang, "找不到索引", "no index", s.index.display());
            return ServeExit::CannotStart;
        }
    }
    let users = match &args.auth {
        Some(file) => match auth::Users::load(file) {
            Ok(u) => Some(u),
            Err(e) => {
                let place = match e.line {
                    Some(l) => format!("{}:{l}", file.display()),
                    None => file.display().to_string(),
                };
                output::error(lang, "用户文件有误", "bad user file", format!("{place}: {}", e.message));
                return ServeExit::CannotStart;
            }
        },
        None => None,
    };
    if !args.listen.ip().is_loopback() && users.is_none() && !args.behind_proxy {
        output::error(
            lang,
            "监听非本机地址需要 --auth 用户文件，或用 --behind-proxy 说明前面有负责认证的反向代理",
            "listening beyond loopback needs --auth FILE, or --behind-proxy when a reverse proxy in front authenticates",
            args.listen,
        );
        return ServeExit::CannotStart;
    }
    // The rules the analyses ran with: their titles in the reader's language.
    let titles = match rules_cmd::load(&args.rules) {
        Ok(set) => set.rules.iter().map(|r| (r.id.clone(), r.title().clone())).collect(),
        Err(e) => {
            rules_cmd::report_load_error(&e, lang);
            return ServeExit::CannotStart;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            output::error(lang, "无法启动", "cannot start", e);
            return ServeExit::CannotStart;
        }
    };
    let stop = Arc::new(tokio::sync::Notify::new());
    {
        // Ctrl-C and SIGTERM: stop accepting, finish the requests in flight.
        let stop = Arc::clone(&stop);
        let _ = ctrlc::set_handler(move || stop.notify_one());
    }
    let opts = serve::Options {
        sources,
        titles,
        listen: args.listen,
        users,
        limits: args.limits.limits(),
    };
    let result = runtime.block_on(serve::run(
        opts,
        |addr| {
            eprintln!(
                "{}",
                if zh {
                    format!("cmgelog: 页面地址 http://{addr}/（Ctrl-C 停止）")
                } else {
                    format!("cmgelog: serving http://{addr}/ (Ctrl-C stops)")
                }
            );
        },
        async move { stop.notified().await },
    ));
    match result {
        Ok(()) => ServeExit::Stopped,
        Err(e) => {
            output::error(lang, "无法监听", "cannot listen", format!("{}: {e}", args.listen));
            ServeExit::CannotStart
        }
    }
}

fn add_user(user: &str, file: &PathBuf, lang: Lang) -> ServeExit {
    let password = match upload::password(lang) {
        Ok(p) => p,
        Err(e) => {
            output::error(lang, "没有密码", "no password", e.get(lang));
            return ServeExit::CannotStart;
        }
    };
    let line = match auth::line(user, password.expose()) {
        Ok(l) => l,
        Err(e) => {
            output::error(lang, "无法添加用户", "cannot add the user", e);
            return ServeExit::CannotStart;
        }
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .and_then(|mut f| writeln!(f, "{line}"));
    match written {
        Ok(()) => {
            eprintln!(
                "{}",
                if lang.is_zh() {
                    format!("cmgelog: 已将用户 {user} 加入 {}", file.display())
                } else {
                    format!("cmgelog: added {user} to {}", file.display())
                }
            );
            ServeExit::Stopped
        }
        Err(e) => {
            output::error(
                lang,
                "无法写入用户文件",
                "cannot write the user file",
                format!("{}: {e}", file.display()),
            );
            ServeExit::CannotStart
        }
    }
}
