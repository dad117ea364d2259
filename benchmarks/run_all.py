"""Run every benchmark one after another and write their output to ``benchmarks/RESULTS.md``.

Each benchmark runs as its own subprocess (one at a time: the timings assume an otherwise idle
machine); its stdout goes into the results file under a section header, its stderr (progress)
passes through to the terminal. The file is rewritten after each benchmark, so an interrupted
run keeps what it measured.

    python benchmarks/run_all.py [--quick] [--only build mkp ...] [-o benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Benchmark:
    """One benchmark script: its key, section title, and arguments for a quick smoke run."""

    key: str
    title: str
    script: str
    quick: tuple[str, ...]


BENCHMARKS = (
    Benchmark(
        "build",
        "Model build and hand-off",
        "build.py",
        ("--sizes", "500", "1000", "--solve-size", "1000", "--solve-limit", "20", "--profile", "0"),
    ),
    Benchmark(
        "mkp",
        "Solution quality: OR-Library multidimensional knapsacks",
        "mkp.py",
        ("--instances", "0", "--time-limit", "2"),
    ),
    Benchmark("scale", "Scaling", "scale.py", ("--sizes", "100", "1000", "--time-limit", "20")),
    Benchmark("whatif", "What-if re-solves", "whatif.py", ("--sizes", "400", "--time-limit", "20")),
    Benchmark("scenarios", "Scenarios", "scenarios.py", ()),
    Benchmark("cvar", "CVaR block", "cvar.py", ("--candidates", "500", "--scenarios", "200")),
    Benchmark("sweep", "Sweep throughput", "sweep.py", ("--candidates", "100", "--variants", "4")),
    Benchmark("mandates", "Shipped mandates", "mandates.py", ()),
    Benchmark(
        "timevalue",
        "Time value: NPV objective, net-cash and recycling rows",
        "timevalue.py",
        ("--sizes", "300", "--repeats", "1", "--time-limit", "20"),
    ),
)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else ``platform.processor()``."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def header(quick: bool) -> str:
    """Title, date and the machine: platform, CPUs, Python and library versions, git state."""
    changed = [line for line in _git("status", "--porcelain").splitlines() if line]
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run_all.py"
        + (" --quick" if quick else "")
        + "`; every number below is the printed output of one run. Timings on this small "
        "machine are noisy (expect 10-30% run to run); benchmarks print, they assert nothing.",
        "",
        f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- machine: {platform.platform()}; {_cpu_model()}; {os.cpu_count()} CPUs; "
        f"{memory:.0f} GiB RAM",
        f"- Python {platform.python_version()}; numpy {_version('numpy')}, scipy "
        f"{_version('scipy')}, pyomo {_version('pyomo')}, highspy {_version('highspy')}, "
        f"pydantic {_version('pydantic')}",
        f"- allocator: git {commit}"
        + (f" with {len(changed)} uncommitted changed file(s)" if changed else ""),
        "",
    ]
    return "\n".join(lines)


def run(bench: Benchmark, quick: bool) -> str:
    """Run one benchmark; its section of the results file."""
    args = list(bench.quick) if quick else []
    command = [sys.executable, str(HERE / bench.script), *args]
    shown = " ".join(["python", f"benchmarks/{bench.script}", *args])
    print(f"run_all.py: {shown}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=HERE.parent)
    seconds = time.perf_counter() - started
    status = "" if done.returncode == 0 else f", **exit code {done.returncode}**"
    return f"## {bench.title}\n\n`{shown}` ({seconds:.0f} s{status})\n\n{done.stdout.strip()}\n"


def placeholder(bench: Benchmark) -> str:
    """The section of a benchmark that is not there (yet)."""
    return f"## {bench.title}\n\n_Not run: `benchmarks/{bench.script}` is not present._\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--only", nargs="+", choices=[b.key for b in BENCHMARKS], help="run only these"
    )
    parser.add_argument("-o", "--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    chosen = [b for b in BENCHMARKS if not args.only or b.key in args.only]
    sections = [header(args.quick)]
    started = time.perf_counter()
    for bench in chosen:
        present = (HERE / bench.script).is_file()
        sections.append(run(bench, args.quick) if present else placeholder(bench))
        args.output.write_text("\n".join(sections))
    total = time.perf_counter() - started
    sections.append(f"---\n\nTotal wall time of this run: {total / 60:.1f} min.\n")
    args.output.write_text("\n".join(sections))
    print(f"run_all.py: wrote {args.output} ({total / 60:.1f} min)", file=sys.stderr)


if __name__ == "__main__":
    main()
