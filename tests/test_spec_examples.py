"""Every code example of the memory spec runs against our package.

The ```python blocks of ``../shared/spec/MEMORY_OPTIMIZATION.md`` run as written, each in a
fresh interpreter, with their placeholders filled in first (``large_file.vtt``,
``process_subtitle``, ``large_text``, ``config``, ...) and checks of what they did run after
them. The ```bash blocks: the environment settings parse into ``Config``; the test commands
run. A block this file does not know fails the test, so a new example cannot go unchecked.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from customer_snapshot.config import Config

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "spec" / "MEMORY_OPTIMIZATION.md"

if not SPEC.is_file():
    pytest.skip("../shared/spec/MEMORY_OPTIMIZATION.md is not beside this checkout", True)

TEXT = SPEC.read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", TEXT, flags=re.S)


# For each example (found by a line it contains): what runs before it and what checks after.
_PYTHON: dict[str, tuple[str, str]] = {
    "tracker = MemoryTracker()": (
        "",
        """
        assert isinstance(analysis, dict)
        assert [s["label"] for s in analysis["snapshots"]] == [
            "baseline", "Processing start", "Processing end"]
        assert {"baseline_mb", "peak_mb", "growth_mb", "spikes"} <= set(analysis)
        """,
    ),
    "reader = StreamingVTTReader()": (
        """
        from pathlib import Path
        from customer_snapshot.utils.selftest import write_transcript
        written = write_transcript(Path("large_file.vtt"), megabytes=2)
        subtitles = []
        def process_subtitle(subtitle):
            subtitles.append((subtitle.start, subtitle.speaker, subtitle.text))
        """,
        """
        assert len(subtitles) == written
        assert all(text and speaker for _, speaker, text in subtitles)
        assert [s for s, _, _ in subtitles] == sorted(s for s, _, _ in subtitles)
        """,
    ),
    "processor = MemoryEfficientNLPProcessor()": (
        """
        large_text = " ".join(
            "Dana Whitfield of Northwind Health met the team in Boise on March 3. "
            "They agreed that Brightwell Systems would cut costs by 20 percent."
            for _ in range(40))
        found = []
        def handle_entities(entities):
            found.extend((e["text"], e["label"]) for e in entities)
        """,
        """
        assert ("Dana Whitfield", "PERSON") in found, set(found)
        assert sum(1 for text, _ in found if text == "Boise") == 40
        """,
    ),
    "@memory_profile": (
        """
        import logging
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
        def analyze_text(text):
            return len(text.split())
        def process_large_data():
            return [b"x" * (10 * 2**20) for _ in range(200)]  # 2 GB unless stopped
        """,
        """
        import contextlib, io
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert process_transcript("three words here") == 3
        assert out.getvalue() == ""  # logged, never printed
        try:
            memory_limited_function()
        except MemoryError as exc:
            assert exc.limit_mb == 500 and exc.observed_mb < 650, exc
        else:
            raise AssertionError("no MemoryError past 500 MB")
        """,
    ),
    "service = start_memory_monitoring(config, interval=30)": (
        # The example uses `config` and `stop_memory_monitoring` without defining them.
        """
        from customer_snapshot.utils.config import Config
        from customer_snapshot.utils.memory_optimizer import stop_memory_monitoring
        config = Config()
        """,
        """
        from customer_snapshot.utils.memory_optimizer import get_memory_status
        assert service.samples and not service.is_running
        assert service.interval == 30 and get_memory_status()["monitoring"] is False
        """,
    ),
    "config = Config()": (
        "",
        """
        from customer_snapshot import Config as PackageConfig
        assert Config is PackageConfig
        assert (config.enable_memory_monitoring, config.memory_limit_mb,
                config.streaming_threshold_mb) == (True, 1024, 10)
        """,
    ),
    "class CustomOptimizer(MemoryOptimizer):": (
        "",
        """
        optimizer = CustomOptimizer()
        cache = optimizer.register_cache({"key": "x" * 1000})
        optimizer.optimize_for_batch_processing()
        assert cache == {}
        """,
    ),
    'optimizer.get_mmap_reader("huge_file.vtt")': (
        # Follows the previous example, which imported MemoryOptimizer.
        """
        import os
        from customer_snapshot.utils.memory_optimizer import MemoryOptimizer
        from customer_snapshot.utils.selftest import write_transcript
        write_transcript(__import__("pathlib").Path("huge_file.vtt"), megabytes=3)
        sizes = []
        def process_chunk(chunk):
            sizes.append(len(chunk))
        """,
        """
        assert sum(sizes) == os.path.getsize("huge_file.vtt") and len(sizes) >= 3
        """,
    ),
    "status = get_memory_status()": (
        """
        from customer_snapshot.utils.memory_optimizer import get_memory_status
        sent = []
        send_to_monitoring_system = sent.append
        """,
        """
        import json
        keys = {"current_mb", "peak_mb", "available_mb", "system_percent", "limit_mb",
                "usage_ratio", "alerts"}
        assert keys <= set(sent[0]), sent
        json.dumps(sent[0])
        """,
    ),
}

# The spec's other commands and where they are checked.
_ELSEWHERE = {
    "docker exec container-name python /usr/local/bin/healthcheck.py": "a running container",
    "python performance_dashboard.py --mode comprehensive": "the dashboard's tests",
}


def _key(block: str) -> str:
    keys = [k for k in _PYTHON if k in block]
    assert len(keys) == 1, f"a spec example this test does not know:\n{block}"
    return keys[0]


def _ids() -> list[str]:
    return [_key(b).split("(")[0].split()[-1].strip("@.:\"'") for b in _blocks("python")]


def test_every_python_example_is_known() -> None:
    blocks = _blocks("python")
    assert len(blocks) == len(_PYTHON) == 9
    assert sorted(_key(b) for b in blocks) == sorted(_PYTHON)


@pytest.mark.parametrize("block", _blocks("python"), ids=_ids())
def test_python_example_runs(block: str, tmp_path: Path) -> None:
    before, after = _PYTHON[_key(block)]
    script = "\n".join(
        [textwrap.dedent(before), "# --- the spec's example ---", block, textwrap.dedent(after)]
    )
    (tmp_path / "example.py").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{script}\n--- stderr ---\n{done.stderr}"


def _env_blocks() -> list[dict[str, str]]:
    out = []
    for block in _blocks("bash"):
        pairs = re.findall(r"^([A-Z_]+)=(\S+)", block, flags=re.M)
        if pairs:
            out.append(dict(pairs))
    return out


def test_the_environment_examples_configure_us() -> None:
    development, production = _env_blocks()
    c = Config.from_env(development)
    assert c.enable_memory_monitoring and not c.enable_memory_profiling
    assert (c.memory_limit_mb, c.streaming_threshold_mb, c.gc_frequency) == (1024, 10, 1000)
    assert (c.max_file_size, c.chunk_size, c.chunk_overlap) == (50 * 1024**2, 500, 100)
    assert c == Config.from_env({}, snapshot_home=c.snapshot_home)  # the spec's defaults are ours
    p = Config.from_env(production)
    assert (p.memory_limit_mb, p.streaming_threshold_mb, p.gc_frequency) == (2048, 5, 500)


def _commands() -> list[str]:
    out = []
    for block in _blocks("bash"):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and not re.match(r"^[A-Z_]+=", line):
                out.append(line)
    return out


def test_every_command_is_known() -> None:
    commands = _commands()
    assert [c for c in commands if c not in _ELSEWHERE] == [
        "python test_memory_optimization.py",
        'python -c "from test_memory_optimization import MemoryOptimizationTester; '
        't = MemoryOptimizationTester(); t.test_streaming_vtt_reader()"',
    ]


@pytest.mark.parametrize(
    "command", [c for c in _commands() if c not in _ELSEWHERE], ids=["all", "one"]
)
def test_test_commands_run(command: str) -> None:
    argv = shlex.split(command)
    argv[0] = sys.executable
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    if argv[1:] == ["test_memory_optimization.py"]:
        assert done.stdout.splitlines()[-1] == "6 passed, 0 failed"
