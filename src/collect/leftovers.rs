//! What a killed collection leaves behind, and its removal by the next run.
//!
//! A collector killed outright (SIGKILL, Task Manager, a power cut) cannot remove its staging
//! folder (tens of MB of outputs) or the `.zip.partial` it was writing. Each run writes an
//! `owner` file into its staging folder: its PID and the partial zip's path. The next run
//! removes every `cmgelog-*` staging folder whose owner is no longer running, with the partial
//! zip it names, and kills the item processes that run left (`descendants`).

use std::io;
use std::path::{Path, PathBuf};

const OWNER: &str = "owner";
const PREFIX: &str = "cmgelog-";

/// Records that this process owns `staging` and is writing `partial`.
pub fn claim(staging: &Path, partial: &Path) -> io::Result<()> {
    std::fs::write(
        staging.join(OWNER),
        format!("{}\n{}\n", std::process::id(), partial.display()),
    )
}

/// What was cleaned.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub folders: usize,
    pub partials: usize,
    pub processes: usize,
}

/// Removes the staging folders (in `temp`) and partial zips of runs whose collector is gone.
/// Folders without an owner file (another program's, or a run from before owner files) are
/// left alone.
pub fn clean(temp: &Path) -> Cleaned {
    let mut cleaned = Cleaned {
        processes: super::descendants::kill_orphaned_runs(),
        ..Cleaned::default()
    };
    let Ok(entries) = std::fs::read_dir(temp) else {
        return cleaned;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let named = entry.file_name().to_str().is_some_and(|n| n.starts_with(PREFIX));
        if !named || !path.is_dir() {
            continue;
        }
        let Some((pid, partial)) = read_owner(&path) else {
            continue;
        };
        if pid == std::process::id() || pid_alive(pid) {
            continue;
        }
        if std::fs::remove_file(&partial).is_ok() {
            cleaned.partials += 1;
        }
        if std::fs::remove_dir_all(&path).is_ok() {
            cleaned.folders += 1;
        }
    }
    cleaned
}

fn read_owner(staging: &Path) -> Option<(u32, PathBuf)> {
    let text = std::fs::read_to_string(staging.join(OWNER)).ok()?;
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse().ok()?;
    let partial = PathBuf::from(lines.next()?);
    // Only ever a file this program names: `<bundle>.zip.partial`.
    partial.to_str()?.ends_with(".zip.partial").then_some((pid, partial))
}

/// Whether a process with this PID runs. (A reused PID keeps a dead run's leftovers until
/// that process ends too: harmless.)
pub fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(windows)]
    {
        super::platform::pid_alive(pid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PID no process has: the largest possible is far above any running one.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new(if cfg!(windows) { "cmd" } else { "true" })
            .args(if cfg!(windows) { &["/c", "exit"][..] } else { &[][..] })
            .spawn()
            .unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn a_dead_runs_folder_and_partial_zip_are_removed_a_live_ones_kept() {
        let temp = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let make = |name: &str, pid: u32| {
            let staging = temp.path().join(name);
            std::fs::create_dir(&staging).unwrap();
            std::fs::write(staging.join("0"), vec![0u8; 1000]).unwrap();
            let partial = out.path().join(format!("{name}.zip.partial"));
            std::fs::write(&partial, b"PK").unwrap();
            std::fs::write(staging.join(OWNER), format!("{pid}\n{}\n", partial.display())).unwrap();
            (staging, partial)
        };
        let (dead, dead_partial) = make("cmgelog-dead", dead_pid());
        let (live, live_partial) = make("cmgelog-live", std::process::id());
        // Not ours: no owner file.
        let other = temp.path().join("cmgelog-other");
        std::fs::create_dir(&other).unwrap();
        let cleaned = clean(temp.path());
        assert_eq!((cleaned.folders, cleaned.partials), (1, 1));
        assert!(!dead.exists() && !dead_partial.exists());
        assert!(live.exists() && live_partial.exists() && other.exists());
    }

    #[test]
    fn an_owner_file_naming_another_file_is_ignored() {
        let temp = tempfile::tempdir().unwrap();
        let staging = temp.path().join("cmgelog-x");
        std::fs::create_dir(&staging).unwrap();
        let victim = temp.path().join("important.txt");
        std::fs::write(&victim, b"keep").unwrap();
        std::fs::write(staging.join(OWNER), format!("{}\n{}\n", dead_pid(), victim.display())).unwrap();
        clean(temp.path());
        assert!(victim.exists());
    }
}
