//! Running one command: its own process group (Unix) or job object (Windows) so that a kill
//! at the timeout takes the whole tree, grandchildren holding the pipe included, and on Linux
//! an environment marker (`descendants`) for the ones that left the group with `setsid`;
//! stdout streamed into a bounded tail capture; stderr's end kept for the manifest's reason.
//! When the command has exited but something it left running still holds stdout open, the
//! output read so far is kept: the leftovers are stopped after [`EXIT_GRACE`].

use super::capture::{copy_tail, Captured, TailCapture};
use super::descendants;
use super::manifest::Status;
use super::spec::OUT;
use super::stop::{Stop, StopReason};
use process_wrap::std::*;
use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long the pipes may stay open after the process tree was killed: a process outside the
/// tree (one that escaped to its own session) could hold them forever.
const PIPE_GRACE: Duration = Duration::from_secs(2);
/// How long stdout may stay open after the command itself exited, before what it left running
/// is stopped. Output written by then is kept.
pub const EXIT_GRACE: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(20);
/// How much of stderr is kept to explain a failure.
const STDERR_TAIL: usize = 2048;

#[derive(Debug)]
pub struct Produced {
    pub status: Status,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub output: Option<Captured>,
}

impl Produced {
    pub fn failed(status: Status, reason: impl Into<String>) -> Produced {
        Produced {
            status,
            reason: Some(reason.into()),
            exit_code: None,
            output: None,
        }
    }
}

/// Runs `argv`; the output is its stdout, or the file it writes where `{out}` stands. `marker`
/// tags its processes (`descendants`); none of them outlives the call.
pub fn run(
    marker: &str,
    argv: &[String],
    output_file: bool,
    ok_exit_codes: &[i32],
    staged: &Path,
    cap: u64,
    stop: &Stop,
) -> Produced {
    let out_file = staged.with_extension("written");
    let args: Vec<String> = argv[1..]
        .iter()
        .map(|a| a.replace(OUT, &out_file.to_string_lossy()))
        .collect();
    let mut base = base_command(&argv[0], &args);
    descendants::mark(&mut base, marker);
    let mut cmd = StdCommandWrap::from(base);
    #[cfg(unix)]
    cmd.wrap(ProcessGroup::leader());
    #[cfg(windows)]
    {
        cmd.wrap(JobObject);
        cmd.wrap(NoConsoleWindow);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return spawn_error(&argv[0], &e),
    };
    // Windows: the item's processes die with the collector, and with the end of the item.
    #[cfg(windows)]
    let _kill_on_close = {
        use std::os::windows::io::AsRawHandle;
        super::platform::kill_on_close::KillOnClose::attach(child.inner().as_raw_handle())
    };

    // stdout: the output itself, or (when the command writes a file) ignored but drained so
    // that the command never blocks on a full pipe.
    let (out_tx, out_rx) = mpsc::channel();
    let stdout = child.stdout().take();
    let stdout_target = (!output_file).then(|| staged.to_path_buf());
    thread::spawn(move || {
        let result = match (stdout, stdout_target) {
            (Some(pipe), Some(path)) => TailCapture::create(&path, cap)
                .and_then(|mut c| c.drain(pipe).and_then(|_| c.finish()))
                .map(Some),
            (Some(mut pipe), None) => io::copy(&mut pipe, &mut io::sink()).map(|_| None),
            (None, _) => Ok(None),
        };
        let _ = out_tx.send(result);
    });
    let (err_tx, err_rx) = mpsc::channel();
    if let Some(mut pipe) = child.stderr().take() {
        thread::spawn(move || {
            let mut tail = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 2 * STDERR_TAIL {
                    tail.drain(..tail.len() - STDERR_TAIL);
                }
            }
            let _ = err_tx.send(tail);
        });
    }

    // Wait for the process to exit and stdout to reach its end (a grandchild may keep the pipe
    // open after its parent exited), or for a reason to stop.
    let mut exit = None;
    let mut exited_at = None;
    let mut held_open = false;
    let mut captured = None;
    let mut stopped = None;
    loop {
        if exit.is_none() {
            match child.try_wait() {
                Ok(Some(status)) => {
                    exit = Some(status);
                    exited_at = Some(std::time::Instant::now());
                }
                Ok(None) => {}
                Err(e) => return Produced::failed(Status::Failed, format!("waiting for the command: {e}")),
            }
        }
        if captured.is_none() {
            match out_rx.try_recv() {
                Ok(r) => captured = Some(r),
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => captured = Some(Ok(None)),
            }
        }
        if exit.is_some() && captured.is_some() {
            break;
        }
        if captured.is_none() && exited_at.is_some_and(|t| t.elapsed() >= EXIT_GRACE) {
            // The command is done; what it left running keeps the pipe open. Stop it (its
            // group, then anything that left the group) and keep what was written.
            held_open = true;
            let _ = child.start_kill();
            descendants::kill_item(marker);
            captured = out_rx.recv_timeout(PIPE_GRACE).ok();
            break;
        }
        if let Some(why) = stop.check() {
            stopped = Some(why);
            let _ = child.start_kill();
            descendants::kill_item(marker);
            let _ = child.wait();
            if captured.is_none() {
                captured = out_rx.recv_timeout(PIPE_GRACE).ok();
            }
            break;
        }
        thread::sleep(POLL);
    }
    // Nothing the item started outlives it (a daemon it spawned with setsid included).
    descendants::kill_item(marker);
    let stderr = err_rx.recv_timeout(Duration::from_millis(200)).unwrap_or_default();
    let exit_code = exit.and_then(|s| s.code());

    let output = match captured {
        Some(Ok(Some(c))) => Some(c),
        Some(Ok(None)) if output_file && out_file.exists() => match copy_tail(&out_file, staged, cap) {
            Ok(c) => Some(c),
            Err(e) => return Produced::failed(Status::Failed, format!("reading the file the command wrote: {e}")),
        },
        Some(Err(e)) => return Produced::failed(Status::Failed, format!("capturing the output: {e}")),
        _ => None,
    };
    let _ = std::fs::remove_file(&out_file);
    let (status, mut reason) = classify(stopped, exit_code, ok_exit_codes, output.as_ref(), output_file, &stderr);
    if held_open && stopped.is_none() {
        let note = format!(
            "the command exited, but a process it left running held its output open; that process was stopped after {} s",
            EXIT_GRACE.as_secs()
        );
        reason = Some(match reason {
            Some(r) => format!("{r}; {note}"),
            None => note,
        });
    }
    Produced {
        status,
        reason,
        exit_code,
        output,
    }
}

/// Every command gets a hidden console of its own: from the window (no console) a console
/// command would otherwise open a console window, and from cmd it keeps the user's Ctrl+C
/// away from the commands (the collector stops them itself, through the job).
///
/// Not process-wrap's `CreationFlags`: in 8.2.2 its flags never reach the spawn next to
/// `JobObject` (the wrappers are taken out of the command before the hooks run, so
/// `JobObject` does not see them and sets CREATE_SUSPENDED alone). This wrapper runs after
/// `JobObject`'s hook and keeps the CREATE_SUSPENDED that `JobObject` needs (it resumes the
/// process once it is in the job); being its own type, `JobObject` never takes it for a
/// caller's request to stay suspended.
#[cfg(windows)]
#[derive(Debug)]
struct NoConsoleWindow;

#[cfg(windows)]
impl StdCommandWrapper for NoConsoleWindow {
    fn pre_spawn(&mut self, command: &mut Command, _core: &StdCommandWrap) -> io::Result<()> {
        use std::os::windows::process::CommandExt;
        use windows_sys::Win32::System::Threading::{CREATE_NO_WINDOW, CREATE_SUSPENDED};
        command.creation_flags(CREATE_SUSPENDED | CREATE_NO_WINDOW);
        Ok(())
    }
}

fn base_command(program: &str, args: &[String]) -> Command {
    let mut c = Command::new(program);
    for var in crate::privacy::SECRET_ENV_VARS {
        c.env_remove(var);
    }
    c.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn spawn_error(program: &str, e: &io::Error) -> Produced {
    match e.kind() {
        io::ErrorKind::NotFound => Produced::failed(Status::NotFound, format!("{program}: command not found")),
        io::ErrorKind::PermissionDenied => Produced::failed(Status::AccessDenied, format!("{program}: {e}")),
        _ => Produced::failed(Status::Failed, format!("{program}: {e}")),
    }
}

fn classify(
    stopped: Option<StopReason>,
    exit_code: Option<i32>,
    ok_exit_codes: &[i32],
    output: Option<&Captured>,
    output_file: bool,
    stderr: &[u8],
) -> (Status, Option<String>) {
    if let Some(why) = stopped {
        let (s, r) = why.status();
        return (s, Some(r));
    }
    let err_line = last_line(stderr);
    match exit_code {
        Some(code) if !ok_exit_codes.contains(&code) => {
            let mut reason = format!("exit code {code}");
            if let Some(l) = err_line {
                reason.push_str(": ");
                reason.push_str(&l);
            }
            if looks_like_denied(stderr) {
                return (Status::AccessDenied, Some(reason));
            }
            return (Status::Failed, Some(reason));
        }
        None => return (Status::Failed, Some("killed by a signal".into())),
        _ => {}
    }
    match output {
        None if output_file => (
            Status::Failed,
            Some(err_line.unwrap_or_else(|| "no output file".into())),
        ),
        Some(c) if c.truncated() => (
            Status::Truncated,
            Some(format!("{} bytes, the last {} kept", c.total, c.kept)),
        ),
        Some(c) if c.total == 0 => (Status::Ok, Some("no output".into())),
        _ => (Status::Ok, None),
    }
}

/// The last non-empty stderr line, decoded whatever the console code page was.
fn last_line(stderr: &[u8]) -> Option<String> {
    let text = crate::bundle::decode::decode(stderr).text;
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
}

fn looks_like_denied(stderr: &[u8]) -> bool {
    let text = crate::bundle::decode::decode(stderr).text.to_lowercase();
    [
        "permission denied",
        "access is denied",
        "拒绝访问",
        "requires elevation",
        "operation not permitted",
    ]
    .iter()
    .any(|p| text.contains(p))
}
