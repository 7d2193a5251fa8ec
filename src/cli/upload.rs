//! `cmgelog upload BUNDLE --url URL --user NAME`: the password from `CMGELOG_PASSWORD` or a
//! prompt without echo, the upload itself in [`cmgelog::upload`], progress on stderr (a bar on a
//! terminal, a line per 10 % otherwise), and one final line on stdout.
//!
//! Exit codes: [`UploadExit`], one per [`ErrorClass`].

use cmgelog::exit_code::UploadExit;
use cmgelog::i18n::{Lang, Localized};
use cmgelog::upload::{self, ErrorClass, Options, Outcome, Password, Progress, Protocol, UploadError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// The variable scripts set instead of typing the password.
const PASSWORD_ENV: &str = "CMGELOG_PASSWORD";

#[derive(clap::Args, Debug)]
pub struct UploadArgs {
    /// The bundle to send (it is kept; a `<bundle>.upload.json` next to it allows resuming).
    pub bundle: PathBuf,
    /// The portal's upload URL (tus endpoint, form action or PUT target).
    #[arg(long)]
    pub url: String,
    /// The case's user name. The password comes from CMGELOG_PASSWORD or a prompt.
    #[arg(long)]
    pub user: String,
    /// The support case id, sent as upload metadata (tus).
    #[arg(long = "case", value_name = "ID")]
    pub case_id: Option<String>,
    /// tus (resumable), multipart (one form POST), put (one raw PUT), or auto (ask the server).
    #[arg(long, visible_alias = "method", value_enum, default_value_t = ProtocolArg::Auto)]
    pub protocol: ProtocolArg,
    /// tus chunk size in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = upload::DEFAULT_CHUNK_SIZE,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub chunk_size: u64,
    /// Multipart form field that carries the file.
    #[arg(long, value_name = "NAME", default_value = upload::DEFAULT_FIELD)]
    pub field: String,
    /// Extra CA certificate(s) (PEM) for a portal with a private CA.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Retries of a failed request (network error or 5xx), 1 s doubling to 30 s between them.
    #[arg(long, value_name = "N", default_value_t = upload::RetryPolicy::default().retries)]
    pub retries: u32,
    /// Print nothing but the final line (and errors).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ProtocolArg {
    Auto,
    Tus,
    Multipart,
    Put,
}

/// The exit code of an upload error (see the module's documentation).
pub(super) fn exit_code(e: &UploadError) -> UploadExit {
    match e.class() {
        ErrorClass::Input => UploadExit::BadInput,
        ErrorClass::Auth => UploadExit::Auth,
        ErrorClass::Refused => UploadExit::Refused,
        ErrorClass::Network => UploadExit::Network,
        ErrorClass::Cancelled => UploadExit::Cancelled,
    }
}

/// The protocol a configuration names (`auto`, `tus`, `multipart`, `put`).
pub(super) fn protocol_named(name: Option<&str>) -> ProtocolArg {
    match name.map(str::to_ascii_lowercase).as_deref() {
        Some("tus") => ProtocolArg::Tus,
        Some("multipart") => ProtocolArg::Multipart,
        Some("put") => ProtocolArg::Put,
        _ => ProtocolArg::Auto,
    }
}

pub fn run(args: &UploadArgs, lang: Lang) -> UploadExit {
    // A missing bundle is reported before anyone is asked for a password.
    if let Err(e) = std::fs::File::open(&args.bundle) {
        let e = UploadError::File {
            path: args.bundle.clone(),
            detail: e.to_string(),
        };
        error(&e.message(), lang);
        return UploadExit::BadInput;
    }
    let password = match password(lang) {
        Ok(p) => p,
        Err(message) => {
            error(&message, lang);
            return UploadExit::BadInput;
        }
    };
    let mut opts = Options::new(args.bundle.clone(), args.url.clone(), args.user.clone());
    opts.case_id = args.case_id.clone();
    opts.protocol = match args.protocol {
        ProtocolArg::Auto => Protocol::Auto,
        ProtocolArg::Tus => Protocol::Tus,
        ProtocolArg::Multipart => Protocol::Multipart,
        ProtocolArg::Put => Protocol::Put,
    };
    opts.chunk_size = args.chunk_size;
    opts.field = args.field.clone();
    opts.ca_cert = args.ca_cert.clone();
    opts.retry.retries = args.retries;

    let mut display = Display::new(args.quiet, lang);
    let result = upload::upload(&opts, &password, &mut |p| display.show(p));
    display.finish();
    match result {
        Ok(outcome) => {
            println!("{}", final_line(&outcome, &args.bundle, lang));
            UploadExit::Uploaded
        }
        Err(e) => {
            error(&e.message(), lang);
            exit_code(&e)
        }
    }
}

fn error(message: &Localized, lang: Lang) {
    let prefix = if lang.is_zh() { "错误：" } else { "error: " };
    eprintln!("{prefix}{}", message.get(lang));
}

/// From the environment for scripts, else typed without echo; never from the command line.
/// Without a terminal and without the variable there is nobody to ask: fail at once.
pub(super) fn password(lang: Lang) -> Result<Password, Localized> {
    if let Some(p) = std::env::var_os(PASSWORD_ENV).filter(|p| !p.is_empty()) {
        // Read once, then gone from this process's environment, so that nothing it starts
        // or reports later can see it. No other thread reads the environment at this point:
        // the upload has not started.
        std::env::remove_var(PASSWORD_ENV);
        return p.into_string().map(Password::new).map_err(|_| {
            Localized::new(
                format!("{PASSWORD_ENV} 不是有效的文本"),
                format!("{PASSWORD_ENV} is not valid text"),
            )
        });
    }
    if !std::io::stdin().is_terminal() {
        return Err(Localized::new(
            format!("没有密码：请设置环境变量 {PASSWORD_ENV}，或在终端中运行以输入密码"),
            format!("no password: set {PASSWORD_ENV}, or run in a terminal to be asked for it"),
        ));
    }
    // The same prompt crate as the wizard's password step.
    dialoguer::Password::new()
        .with_prompt(if lang.is_zh() { "密码" } else { "Password" })
        .allow_empty_password(false)
        .interact()
        .map(Password::new)
        .map_err(|e| Localized::new(format!("无法读取密码：{e}"), format!("cannot read the password: {e}")))
}

pub(super) fn final_line(o: &Outcome, bundle: &std::path::Path, lang: Lang) -> String {
    let name = bundle.display();
    let (size, protocol, at, sha) = (o.size, o.protocol.name(), &o.location, &o.sha256);
    if lang.is_zh() {
        format!("已上传 {name}（{size} 字节，{protocol}）到 {at} ，sha256 {sha}")
    } else {
        format!("uploaded {name} ({size} bytes, {protocol}) to {at} ; sha256 {sha}")
    }
}

/// Progress on stderr: nothing (`--quiet`), a bar (terminal), or one line per 10 % (logs).
pub(super) enum Display {
    Quiet,
    Bar { lang: Lang, bar: Option<ProgressBar> },
    Lines { lang: Lang, printed: Option<u64> },
}

impl Display {
    pub(super) fn new(quiet: bool, lang: Lang) -> Self {
        if quiet {
            Display::Quiet
        } else if std::io::stderr().is_terminal() {
            Display::Bar { lang, bar: None }
        } else {
            Display::Lines { lang, printed: None }
        }
    }

    pub(super) fn show(&mut self, p: Progress) {
        match self {
            Display::Quiet => {}
            Display::Bar { lang, bar } => show_bar(*lang, bar, p),
            Display::Lines { lang, printed } => show_line(*lang, printed, p),
        }
    }

    pub(super) fn finish(&mut self) {
        if let Display::Bar { bar: Some(b), .. } = self {
            b.finish_and_clear();
        }
    }
}

fn show_bar(lang: Lang, bar: &mut Option<ProgressBar>, p: Progress) {
    match p {
        Progress::Resumed { offset, total } => {
            let b = restart_bar(bar, lang, total);
            b.println(resumed(lang, offset, total));
            b.set_position(offset);
            b.reset_eta();
        }
        Progress::Sending { done, total, .. } => {
            let is_sending = bar.as_ref().is_some_and(|b| b.message() == sending_label(lang));
            let b = if is_sending {
                bar.as_ref().expect("bar exists")
            } else {
                restart_bar(bar, lang, total)
            };
            b.set_position(done);
        }
        Progress::Retrying { .. } => {
            let text = retrying(lang, &p);
            match bar {
                Some(b) => b.println(text),
                None => eprintln!("{text}"),
            }
        }
    }
}

fn restart_bar(bar: &mut Option<ProgressBar>, lang: Lang, total: u64) -> &ProgressBar {
    if let Some(old) = bar.take() {
        old.finish_and_clear();
    }
    bar.insert(new_bar(total, sending_label(lang)))
}

fn sending_label(lang: Lang) -> &'static str {
    if lang.is_zh() {
        "上传"
    } else {
        "upload"
    }
}

fn new_bar(total: u64, label: &'static str) -> ProgressBar {
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}")
        .expect("valid template")
        .progress_chars("=> ");
    let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        .with_style(style)
        .with_message(label);
    b.enable_steady_tick(Duration::from_millis(200));
    b
}

fn show_line(lang: Lang, printed: &mut Option<u64>, p: Progress) {
    match p {
        Progress::Resumed { offset, total } => eprintln!("{}", resumed(lang, offset, total)),
        Progress::Sending { done, total, .. } => {
            if let Some(line) = decile_line(lang, printed, done, total) {
                eprintln!("{line}");
            }
        }
        Progress::Retrying { .. } => eprintln!("{}", retrying(lang, &p)),
    }
}

/// The line for `done` of `total` if it reaches a 10 % step not printed yet (`printed` is the
/// last step printed; a retry that goes back prints nothing until it passes it again).
fn decile_line(lang: Lang, printed: &mut Option<u64>, done: u64, total: u64) -> Option<String> {
    let decile = done.saturating_mul(10).checked_div(total).unwrap_or(10).min(10);
    if printed.is_some_and(|last| decile <= last) {
        return None;
    }
    *printed = Some(decile);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let label = sending_label(lang);
    Some(format!(
        "{label} {}% ({:.1} / {:.1} MiB)",
        decile * 10,
        mib(done),
        mib(total)
    ))
}

fn resumed(lang: Lang, offset: u64, total: u64) -> String {
    if lang.is_zh() {
        format!("继续上次的上传：服务器已有 {offset} / {total} 字节")
    } else {
        format!("resuming: the server already has {offset} of {total} bytes")
    }
}

fn retrying(lang: Lang, p: &Progress) -> String {
    let Progress::Retrying {
        retry,
        of,
        delay,
        cause,
    } = p
    else {
        return String::new();
    };
    let secs = delay.as_secs_f64();
    if lang.is_zh() {
        let cause = cmgelog::upload::error::network_cause_zh(cause);
        format!("请求失败（{cause}），{secs:.0} 秒后重试（第 {retry}/{of} 次）")
    } else {
        format!("request failed ({cause}); retry {retry}/{of} in {secs:.0} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_10_percent_step_reached() {
        let mut printed = None;
        let mib = 1 << 20;
        let lines: Vec<String> = [0, 5, 10, 35, 35, 20, 100]
            .iter()
            .filter_map(|pct| decile_line(Lang::En, &mut printed, pct * mib, 100 * mib))
            .collect();
        assert_eq!(
            lines,
            [
                "upload 0% (0.0 / 100.0 MiB)",
                "upload 10% (10.0 / 100.0 MiB)",
                "upload 30% (35.0 / 100.0 MiB)",
                "upload 100% (100.0 / 100.0 MiB)",
            ]
        );
    }

    #[test]
    fn an_empty_bundle_is_at_100_percent_at_once() {
        let mut printed = None;
        assert_eq!(
            decile_line(Lang::Zh, &mut printed, 0, 0).as_deref(),
            Some("上传 100% (0.0 / 0.0 MiB)")
        );
        assert_eq!(decile_line(Lang::Zh, &mut printed, 0, 0), None);
    }
}
