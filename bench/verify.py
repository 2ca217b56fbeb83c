"""Verifier benchmark: how long `python -m petition.verify` takes over a log of a million entries.

Run on demand, never in the suite:

    .venv/bin/python bench/verify.py --entries 1000000

It builds a log (one exclude per twenty adds) with the tests' own log builder, serves it over
loopback HTTP in pages of 10,000 as the site does, and times the real command in a fresh process:
fetching the key and checkpoint, downloading every entry, rebuilding the root, checking each leaf
and the count. The target is under a minute for a million entries.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.transparency.verify_support import SLUG, add, exclude, receipt, serving  # noqa: E402

LIMIT_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    with serving() as (base, log):
        started = time.perf_counter()
        for n in range(args.entries):
            log.leaves.append(exclude(n - 10) if n % 21 == 20 else add(receipt(n)))
        log.sign_now()
        print(f"Built and signed {args.entries:,} entries in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "petition.verify", f"{base}/petitions/{SLUG}"],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - started
    print(done.stdout + done.stderr, end="")
    print(f"Verified {args.entries:,} entries in {seconds:.1f} s ({args.entries / seconds:,.0f}/s)")
    if done.returncode != 0 or seconds > LIMIT_SECONDS:
        print(f"FAILED: exit {done.returncode}, limit {LIMIT_SECONDS:.0f} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
