#!/usr/bin/env python3
"""The baseline of the batch benchmark: one process inflating every entry of every bundle
with Python's zipfile (C zlib underneath), reading each entry fully and doing nothing else.

Usage: inflate.py DIR     prints the uncompressed bytes read (stdout, one integer)
"""
import sys
import zipfile
from pathlib import Path

total = 0
for path in sorted(Path(sys.argv[1]).glob("*.zip")):
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            with z.open(info) as f:
                # Read in 1 MiB blocks, as a streaming reader would; the bytes are dropped.
                while block := f.read(1 << 20):
                    total += len(block)
print(total)
