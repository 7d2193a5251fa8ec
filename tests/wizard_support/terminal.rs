//! A real terminal for the wizard tests: `cmgelog` with no arguments in a tmux session, keys
//! sent, the screen (and the whole scrollback) captured.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One tmux session running the wizard, on its own tmux server (socket) so that tests run in
/// parallel without seeing each other.
pub struct Terminal {
    socket: PathBuf,
    pub exit_file: PathBuf,
}

impl Terminal {
    /// Starts `cmgelog` with no arguments in `dir` (its default output folder on Linux), with
    /// the given environment, in a 120×50 terminal.
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Terminal {
        let socket = dir.join("tmux.sock");
        let exit_file = dir.join("exit-code");
        // The shell catches Ctrl-C (a handler, reset to the default in cmgelog) so that it lives
        // on to record the exit code when a test presses it.
        let mut script = format!("trap true INT; cd '{}' && env -u LC_ALL -u LC_MESSAGES", dir.display());
        for (k, v) in env {
            script.push_str(&format!(" {k}='{v}'"));
        }
        script.push_str(&format!(
            " XDG_CONFIG_HOME='{}/cfg' '{}'; echo $? > '{}'; sleep 60",
            dir.display(),
            env!("CARGO_BIN_EXE_cmgelog"),
            exit_file.display()
        ));
        let ok = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(["new-session", "-d", "-x", "120", "-y", "50", "sh", "-c", &script])
            .status()
            .expect("tmux is installed (scripts/test.sh installs it)");
        assert!(ok.success());
        Terminal { socket, exit_file }
    }

    pub fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket).stdin(Stdio::null());
        c
    }

    /// Everything the wizard printed, scrolled off or not.
    pub fn history(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-J", "-S", "-"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Whether the terminal shows its cursor (a prompt hides it while it draws).
    pub fn cursor_visible(&self) -> bool {
        let out = self
            .tmux()
            .args(["display-message", "-p", "#{cursor_flag}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim() == "1"
    }

    /// Answers the consent question (the first screen) with Enter: agree.
    pub fn agree(&self) {
        self.wait_for("同意收集以上信息吗");
        self.keys(&["Enter"]);
    }

    pub fn screen(&self) -> String {
        let out = self.tmux().args(["capture-pane", "-p", "-J"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Waits until the screen shows `text`; panics with the screen if it never does.
    pub fn wait_for(&self, text: &str) -> String {
        let t0 = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if t0.elapsed() > Duration::from_secs(30) {
                panic!("the screen never showed {text:?}; it shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            assert!(self.tmux().args(["send-keys", k]).status().unwrap().success());
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    pub fn type_text(&self, text: &str) {
        assert!(self.tmux().args(["send-keys", "-l", text]).status().unwrap().success());
        std::thread::sleep(Duration::from_millis(80));
    }

    /// Waits until `text` shows at least `n` times (a prompt asked again).
    pub fn wait_for_count(&self, text: &str, n: usize) {
        let t0 = Instant::now();
        while self.screen().matches(text).count() < n {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "{text:?} not {n} times:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn exit_code(&self) -> i32 {
        let t0 = Instant::now();
        loop {
            if let Ok(s) = std::fs::read_to_string(&self.exit_file) {
                return s.trim().parse().unwrap();
            }
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "the wizard did not exit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}
