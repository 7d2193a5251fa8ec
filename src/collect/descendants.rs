//! Finding every process an item started, wherever it went, and stopping it.
//!
//! An item's process group (Unix) is not enough: a grandchild that calls `setsid` leaves the
//! group, survives the group kill and can hold the item's stdout open for ever. A child
//! subreaper would find such orphans only once their parent exited, and only among this
//! process's children, where the test harness and the wizard have children of their own.
//! Instead each item's process gets a marker in its environment, `CMGELOG_ITEM=<run>.<item>`,
//! which every descendant inherits (a process that wipes its environment escapes: none of the
//! tools the specs run does). On Linux `/proc/<pid>/environ` shows it, so the collector can
//! kill an item's whole tree after the item ends, every process of its run at the end, and the
//! processes of a run whose collector was killed (`<run>` starts with that collector's PID).
//! Elsewhere (Windows: the job object holds the tree; other Unixes) the sweep finds nothing.
//!
//! `PR_SET_PDEATHSIG` makes an item's own process die with the collector on Linux. (It fires
//! when the *thread* that spawned the child ends: items run to completion on one worker
//! thread, so that is never before the item ends.)

use std::process::Command;

/// The environment variable that marks an item's processes.
pub const MARKER: &str = "CMGELOG_ITEM";

/// One collection run: `<pid>-<start>`, unique even when PIDs are reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunId(String);

impl RunId {
    pub fn new() -> RunId {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        RunId(format!("{}-{nanos}", std::process::id()))
    }

    /// The marker value of one item of this run.
    pub fn item(&self, index: usize) -> String {
        format!("{}.{index}", self.0)
    }

    /// Every marker of this run starts with this.
    pub fn prefix(&self) -> String {
        format!("{}.", self.0)
    }
}

impl Default for RunId {
    fn default() -> Self {
        RunId::new()
    }
}

/// Marks the command's process (and so its descendants) as item `marker`'s, and on Linux
/// has it killed when the collector dies.
pub fn mark(cmd: &mut Command, marker: &str) {
    cmd.env(MARKER, marker);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe and touches only the new process.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
    }
}

/// Kills every process whose marker satisfies `matches`; returns how many were signalled.
pub fn kill_where(matches: impl Fn(&str) -> bool) -> usize {
    #[cfg(target_os = "linux")]
    {
        linux::kill_where(&matches)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = matches;
        0
    }
}

/// Kills what is left of one item (exact marker).
pub fn kill_item(marker: &str) -> usize {
    // Killing can free a process that forks again before it dies: sweep until nothing is left
    // (bounded: a fork bomb outruns any sweep).
    let mut total = 0;
    for _ in 0..5 {
        let n = kill_where(|m| m == marker);
        total += n;
        if n == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    total
}

/// Kills the processes of collection runs whose collector is gone (killed before it could
/// clean up); returns how many.
pub fn kill_orphaned_runs() -> usize {
    kill_where(|m| {
        let pid = m.split(['-', '.']).next().and_then(|p| p.parse::<u32>().ok());
        pid.is_some_and(|pid| pid != std::process::id() && !super::leftovers::pid_alive(pid))
    })
}

#[cfg(target_os = "linux")]
mod linux {
    use super::MARKER;

    pub fn kill_where(matches: &dyn Fn(&str) -> bool) -> usize {
        let Ok(dir) = std::fs::read_dir("/proc") else { return 0 };
        let me = std::process::id();
        let mut killed = 0;
        for entry in dir.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if pid == me {
                continue;
            }
            // Another user's process, or one that just ended: not ours to kill.
            let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
                continue;
            };
            let marker = environ
                .split(|&b| b == 0)
                .find_map(|var| var.strip_prefix(MARKER.as_bytes())?.strip_prefix(b"="));
            if let Some(m) = marker.and_then(|m| std::str::from_utf8(m).ok()) {
                if matches(m) {
                    // SAFETY: kill has no memory effects; a PID that vanished gives ESRCH.
                    if unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) } == 0 {
                        killed += 1;
                    }
                }
            }
        }
        killed
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn alive(pid: u32) -> bool {
        // A killed process stays a zombie until its parent reaps it: count it as gone.
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
            .unwrap_or(false)
    }

    #[test]
    fn a_setsid_grandchild_that_ignores_sigterm_is_found_and_killed() {
        let run = RunId::new();
        let marker = run.item(3);
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(format!(
            "setsid sh -c 'trap \"\" TERM; echo $$ > {}; exec sleep 300' </dev/null >/dev/null 2>&1 &",
            pidfile.display()
        ));
        mark(&mut cmd, &marker);
        assert!(cmd.status().unwrap().success());
        let t = Instant::now();
        while !pidfile.exists() || std::fs::read_to_string(&pidfile).unwrap().trim().is_empty() {
            assert!(t.elapsed() < Duration::from_secs(5), "the grandchild started");
            std::thread::sleep(Duration::from_millis(10));
        }
        let pid: u32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        assert!(alive(pid));
        // Another run's marker does not match it.
        assert_eq!(kill_item(&RunId::new().item(3)), 0);
        assert!(alive(pid));
        assert_eq!(kill_item(&marker), 1);
        let t = Instant::now();
        while alive(pid) {
            assert!(t.elapsed() < Duration::from_secs(5), "{pid} survived SIGKILL");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
