"""Each figure beside its baseline and target, printed and written to docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""  # human words, e.g. "≥ 0.9 × bare"
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def table(figures: list[Figure]) -> str:
    head = "| figure | feedhub | baseline | ratio | target | met |\n|---|---|---|---|---|---|\n"
    rows = []
    for f in figures:
        base = f"{_fmt(f.baseline, f.unit)} ({f.baseline_name})" if f.baseline_name else "—"
        met = "—" if f.met is None else ("yes" if f.met else "**no**")
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}"
        rows.append(
            f"| {f.name} | {_fmt(f.value, f.unit)} | {base} | {ratio} | {f.target} | {met} |"
        )
    return head + "\n".join(rows) + "\n"


def machine() -> str:
    """One paragraph naming the machine and the software versions that ran."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1e6:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    import aiohttp

    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; Linux {platform.release()}; "
        f"Python {platform.python_version()}, aiohttp {aiohttp.__version__}; "
        f"{wrk.split(' [')[0].strip() or 'wrk'}"
    )


def load() -> str:
    """The 1-minute load average: other work on the machine skews every figure."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except (OSError, IndexError):
        return "unknown"


GENERATED = ("# Benchmarks", "## How each figure is taken")


def kept_sections(path: Path) -> str:
    """The sections of the report written by hand (profiles, the scale table against the
    previous commit): every `## ` section but the generated one, kept by a new run."""
    if not path.exists():
        return ""
    sections = path.read_text().split("\n## ")[1:]
    return "".join(
        f"\n## {section.rstrip()}\n"
        for section in sections
        if not f"## {section}".startswith(GENERATED[1])
    )


def write(path: Path, figures: list[Figure], notes: list[str], load_at_start: str) -> None:
    kept = kept_sections(path)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        "# Benchmarks\n\n"
        f"Measured by `make bench` on {when}.\n\n"
        f"Machine: {machine()}. Load average (1 min) when the run started: {load_at_start}, "
        f"when it ended: {load()} (other work shared the machine; on such a machine the "
        "figures move by up to a fifth between runs).\n\n"
        "Reproduce: `make bench` (all), or `make bench BENCH=serving`, `BENCH=polling`, "
        "`BENCH=startup`, `BENCH=parsing`, `BENCH=media`, `BENCH=isolation`, `BENCH=scale` "
        "(or any group `python -m bench` lists) for one group; or "
        "`python -m bench [group…]` in a venv with feedhub's dependencies and `wrk` installed.\n\n"
        + table(figures)
        + "\n## How each figure is taken\n\n"
        + "\n".join(f"- {n}" for n in notes)
        + "\n"
        + kept
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
