//! Windows: a second job object around an item's process with `KILL_ON_JOB_CLOSE`, held by the
//! collector. process-wrap's own job (which the timeout kill terminates) is not killed when its
//! handle closes, so a collector ended from Task Manager would leave its items running; this
//! one dies with the collector's last handle. Dropping it at the end of the item also ends
//! anything the item left behind, as the Linux marker sweep does (`collect::descendants`).
//!
//! The process is assigned just after process-wrap started it, so a grandchild created in that
//! first instant is only in process-wrap's job (killed at the timeout, not on collector death).
//! Jobs nest on Windows 8 and later; where nesting is refused the guard is simply absent.

use std::os::windows::io::RawHandle;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation, SetInformationJobObject,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
};

/// Kills the processes of the job when dropped (or when the collector dies).
pub struct KillOnClose(HANDLE);

// SAFETY: a job handle may be used and closed from any thread.
unsafe impl Send for KillOnClose {}

impl KillOnClose {
    /// Puts `process` (and what it starts from now on) in a new kill-on-close job.
    pub fn attach(process: RawHandle) -> Option<KillOnClose> {
        // SAFETY: the job is created, configured and the process assigned with checked results;
        // on any failure the job handle is closed before returning.
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return None;
            }
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let configured = SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                (&info as *const JOBOBJECT_EXTENDED_LIMIT_INFORMATION).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            ) != 0;
            if !configured || AssignProcessToJobObject(job, process as HANDLE) == 0 {
                CloseHandle(job);
                return None;
            }
            Some(KillOnClose(job))
        }
    }
}

impl Drop for KillOnClose {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and closed once.
        unsafe { CloseHandle(self.0) };
    }
}

/// These run under Wine (`scripts/test-windows.sh`) and on Windows.
#[cfg(test)]
mod tests {
    use super::*;
    use std::os::windows::io::AsRawHandle;
    use std::time::{Duration, Instant};

    #[test]
    fn closing_the_job_kills_its_process() {
        let mut child = std::process::Command::new("ping")
            .args(["-n", "60", "127.0.0.1"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("ping starts");
        let guard = KillOnClose::attach(child.as_raw_handle()).expect("the process joins the job");
        assert!(child.try_wait().unwrap().is_none(), "still running");
        drop(guard); // what the collector's death does to its handle
        let t0 = Instant::now();
        while child.try_wait().unwrap().is_none() {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "the job's process survived its close"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
