#!/usr/bin/env python3
"""A bundle of the shape of a real collection's largest: big System and Application event logs
and a CBS.log over 100 MB, built from real public samples by repetition, for the peak-memory
row of benches/run.sh.

    python3 benches/large_bundle.py OUT.zip [--system-mib 128] [--application-mib 64] [--cbs-mib 120]

- eventlogs/System.evtx: the used chunks of ../shared/data/evtx/system.evtx, repeated until
  the size is reached; the file header's chunk count and checksum are set to match (the
  records inside repeat, which no reader minds);
- eventlogs/Application.evtx: the same with many-events-application.evtx;
- Logs/CBS/CBS.log: tests/fixtures/cbs/hofcake_CBS_excerpt.log (a real CBS.log excerpt, its
  provenance in that folder's README) repeated.
Entries are deflated, as a collection's zip is.
"""
import argparse
import struct
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CHUNK = 65536


def repeated_evtx(sample: Path, mib: int) -> bytes:
    data = sample.read_bytes()
    header = bytearray(data[:4096])
    used = struct.unpack_from("<H", header, 42)[0]
    chunks = [data[4096 + i * CHUNK : 4096 + (i + 1) * CHUNK] for i in range(used)]
    count = max(1, min(0xFFFF, (mib << 20) // CHUNK))
    # Chunk count, last chunk number, and the CRC32 of the header's first 120 bytes.
    struct.pack_into("<H", header, 42, count)
    struct.pack_into("<Q", header, 16, count - 1)
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
    body = b"".join(chunks[i % used] for i in range(count))
    return bytes(header) + body


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--system-mib", type=int, default=128)
    p.add_argument("--application-mib", type=int, default=64)
    p.add_argument("--cbs-mib", type=int, default=120)
    a = p.parse_args()
    cbs = (ROOT / "tests/fixtures/cbs/hofcake_CBS_excerpt.log").read_bytes()
    with zipfile.ZipFile(a.out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("eventlogs/System.evtx", repeated_evtx(SHARED / "data/evtx/system.evtx", a.system_mib))
        z.writestr(
            "eventlogs/Application.evtx",
            repeated_evtx(SHARED / "data/evtx/many-events-application.evtx", a.application_mib),
        )
        with z.open("Logs/CBS/CBS.log", "w", force_zip64=True) as f:
            written = 0
            while written < a.cbs_mib << 20:
                f.write(cbs)
                written += len(cbs)
    print(Path(a.out).stat().st_size)


if __name__ == "__main__":
    main()
