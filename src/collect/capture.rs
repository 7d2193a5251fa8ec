//! Bounded capture of a stream into a staging file, keeping the **tail**: when a command
//! prints more than the cap, the end of its output (where errors and summaries are) is what
//! support needs. Memory stays at one buffer whatever the command prints; disk at twice the cap.
//!
//! The stream is written into segments of `cap` bytes; only the current and the previous
//! segment are kept. At the end the last `cap` bytes are the end of the previous segment
//! followed by the current one.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What a capture produced: the staged file and how much was seen and kept.
#[derive(Debug, Clone)]
pub struct Captured {
    pub path: PathBuf,
    /// Bytes kept in `path`.
    pub kept: u64,
    /// Bytes the source produced in all.
    pub total: u64,
}

impl Captured {
    pub fn truncated(&self) -> bool {
        self.total > self.kept
    }
}

pub struct TailCapture {
    base: PathBuf,
    cap: u64,
    segment: u32,
    current: File,
    current_len: u64,
    previous: Option<PathBuf>,
    total: u64,
}

impl TailCapture {
    /// Starts a capture whose result will be `base` (segments are `base.0`, `base.1`, ...).
    pub fn create(base: &Path, cap: u64) -> io::Result<TailCapture> {
        let cap = cap.max(1);
        Ok(TailCapture {
            current: File::create(segment_path(base, 0))?,
            base: base.to_path_buf(),
            cap,
            segment: 0,
            current_len: 0,
            previous: None,
            total: 0,
        })
    }

    /// Copies `reader` to the end (or to its first error, after which the bytes so far count).
    pub fn drain(&mut self, mut reader: impl Read) -> io::Result<()> {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.write_all(&buf[..n])?;
        }
    }

    fn rotate(&mut self) -> io::Result<()> {
        if let Some(old) = self.previous.take() {
            fs::remove_file(old)?;
        }
        self.previous = Some(segment_path(&self.base, self.segment));
        self.segment += 1;
        self.current = File::create(segment_path(&self.base, self.segment))?;
        self.current_len = 0;
        Ok(())
    }

    /// Joins the kept segments into `base`.
    pub fn finish(mut self) -> io::Result<Captured> {
        self.current.flush()?;
        let current_path = segment_path(&self.base, self.segment);
        drop(self.current);
        match self.previous.take() {
            None => fs::rename(&current_path, &self.base)?,
            Some(prev) => {
                let mut out = File::create(&self.base)?;
                let mut p = File::open(&prev)?;
                p.seek(SeekFrom::Start(self.current_len))?;
                io::copy(&mut p, &mut out)?;
                io::copy(&mut File::open(&current_path)?, &mut out)?;
                fs::remove_file(prev)?;
                fs::remove_file(current_path)?;
            }
        }
        Ok(Captured {
            path: self.base,
            kept: self.total.min(self.cap),
            total: self.total,
        })
    }
}

impl Write for TailCapture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.current_len == self.cap {
            self.rotate()?;
        }
        let room = (self.cap - self.current_len) as usize;
        let n = buf.len().min(room);
        self.current.write_all(&buf[..n])?;
        self.current_len += n as u64;
        self.total += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.current.flush()
    }
}

fn segment_path(base: &Path, n: u32) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

/// Copies a file's last `cap` bytes to `dest` (a file that may be growing is read as it is).
pub fn copy_tail(source: &Path, dest: &Path, cap: u64) -> io::Result<Captured> {
    let mut f = File::open(source)?;
    let mut capture = TailCapture::create(dest, cap)?;
    // sysfs and procfs files report a size that is not their content's: only seek when the
    // file is clearly larger than the cap, and let the capture keep the tail either way.
    let len = f.metadata()?.len();
    let skipped = if len > cap.saturating_mul(2) {
        f.seek(SeekFrom::Start(len - cap))?;
        len - cap
    } else {
        0
    };
    capture.drain(&mut f)?;
    let mut c = capture.finish()?;
    c.total += skipped;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(data: &[u8], cap: u64, chunk: usize) -> (Vec<u8>, Captured) {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("out");
        let mut c = TailCapture::create(&base, cap).unwrap();
        for part in data.chunks(chunk.max(1)) {
            c.write_all(part).unwrap();
        }
        let r = c.finish().unwrap();
        let kept = fs::read(&r.path).unwrap();
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "segments must be removed");
        (kept, r)
    }

    #[test]
    fn keeps_exactly_the_tail() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        for (cap, chunk) in [(1000, 7), (1000, 1000), (1000, 4096), (3333, 100), (20_000, 512)] {
            let (kept, r) = capture(&data, cap, chunk);
            let want = &data[data.len().saturating_sub(cap as usize)..];
            assert_eq!(kept, want, "cap {cap} chunk {chunk}");
            assert_eq!(r.total, 10_000);
            assert_eq!(r.truncated(), cap < 10_000);
        }
        let (kept, r) = capture(b"", 10, 1);
        assert!(kept.is_empty() && !r.truncated());
    }

    #[test]
    fn file_tail() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("big.log");
        fs::write(&src, b"0123456789".repeat(100)).unwrap();
        let r = copy_tail(&src, &dir.path().join("t"), 15).unwrap();
        assert_eq!(fs::read(&r.path).unwrap(), b"567890123456789");
        assert_eq!((r.kept, r.total), (15, 1000));
    }
}
