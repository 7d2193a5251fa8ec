#!/usr/bin/env python3
"""`cmgelog watch` over many arrivals: does its memory stay flat?

    python3 benches/watch_arrivals.py [COUNT] [BIN]      (default 10000, target/release/cmgelog)

Starts one watcher on an empty inbox, then drops COUNT distinct bundles into it in rounds of
COUNT/10 (each a real sample of samples/ with one extra entry naming it, so every content is
new), waits until each round is analysed, and prints the watcher's resident memory (VmRSS, and
the peak VmHWM) after each round. Flat means the last rounds hold no more than the first:
nothing per arrival is kept in memory (the state is in the SQLite index on disk). A duplicate of
every tenth bundle is dropped as well, so the duplicate path is measured too.
"""
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
count = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
binary = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "target/release/cmgelog"
samples = sorted((ROOT / "samples").glob("*.zip"))
entries = []
for s in samples:
    with zipfile.ZipFile(s) as z:
        entries.append([(i.filename, z.read(i)) for i in z.infolist() if not i.is_dir()])


def bundle(i: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries[i % len(entries)]:
            z.writestr(name, data)
        z.writestr("notes/tag.txt", f"arrival {i}")
    return buf.getvalue()


def status(pid: int) -> dict:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) // 1024
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inbox, out = Path(tmp, "inbox"), Path(tmp, "results")
        inbox.mkdir()
        # The watcher appends (O_APPEND); the bench reads through its own handle, so reading
        # never moves where the watcher writes.
        log_path = Path(tmp, "watch.log")
        log_w = open(log_path, "a")
        log = open(log_path, "r")
        watcher = subprocess.Popen(
            [str(binary), "watch", str(inbox), "--out", str(out), "--lang", "en", "--settle", "0.2", "--rescan", "30"],
            stderr=log_w,
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        rounds = 10
        per = count // rounds
        started = time.time()
        print(f"{'arrivals':>9} {'RSS MiB':>8} {'peak MiB':>9} {'seconds':>8}")
        for r in range(rounds):
            for i in range(r * per, (r + 1) * per):
                data = bundle(i)
                # Written beside and renamed in, as an uploader that finishes a file does.
                tmp_path = inbox / f".{i}.part"
                tmp_path.write_bytes(data)
                tmp_path.rename(inbox / f"case-{i:05}.zip")
                if i % 10 == 0:
                    (inbox / f"dup-{i:05}.zip").write_bytes(data)
            want = (r + 1) * per
            while True:
                log.seek(0)
                text = log.read()
                done = text.count("\nanalysed ") + text.startswith("analysed ")
                if done >= want:
                    break
                if watcher.poll() is not None:
                    sys.exit(f"the watcher ended: {text[-2000:]}")
                time.sleep(0.2)
            st = status(watcher.pid)
            print(f"{want:>9} {st['VmRSS']:>8} {st['VmHWM']:>9} {time.time() - started:>8.1f}", flush=True)
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=60)
        log.seek(0)
        print(log.read().strip().splitlines()[-1])


if __name__ == "__main__":
    main()
