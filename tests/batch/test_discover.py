"""Finding a batch's transcripts and naming their outputs."""

from __future__ import annotations

from pathlib import Path

from customer_snapshot.batch.discover import discover


def touch(path: Path, text: str = "WEBVTT\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_folders_are_searched_recursively_and_sub_folders_mirrored(tmp_path: Path) -> None:
    src = tmp_path / "calls"
    touch(src / "b.vtt")
    touch(src / "a.SRT")
    touch(src / "2024" / "q1" / "c.vtt")
    touch(src / "notes.txt")
    touch(src / ".hidden.vtt")
    touch(src / ".git" / "d.vtt")
    out = tmp_path / "out"
    found = discover([src], out)
    assert [i.name for i in found] == ["a.SRT", "b.vtt", "2024/q1/c.vtt"]
    assert [i.index for i in found] == [0, 1, 2]
    c = found[2]
    assert c.path == str(src / "2024" / "q1" / "c.vtt")
    assert c.out_dir == str(out / "2024" / "q1") and c.stem == "c"
    assert all(i.error is None for i in found)


def test_named_files_go_flat_and_are_taken_whatever_their_extension(tmp_path: Path) -> None:
    one = touch(tmp_path / "x" / "one.vtt")
    odd = touch(tmp_path / "y" / "export.txt")
    found = discover([one, odd], tmp_path / "out")
    assert [(i.name, i.out_dir, i.stem) for i in found] == [
        ("one.vtt", str(tmp_path / "out"), "one"),
        ("export.txt", str(tmp_path / "out"), "export"),
    ]


def test_a_missing_path_is_an_input_with_an_error(tmp_path: Path) -> None:
    real = touch(tmp_path / "real.vtt")
    found = discover([tmp_path / "nope.vtt", real], tmp_path / "out")
    assert found[0].error == "no such file or folder" and found[0].name == "nope.vtt"
    assert found[1].error is None


def test_a_file_found_twice_is_taken_once(tmp_path: Path) -> None:
    f = touch(tmp_path / "in" / "a.vtt")
    found = discover([tmp_path / "in", f], tmp_path / "out")
    assert [i.name for i in found] == ["a.vtt"]


def test_outputs_that_would_collide_are_kept_apart(tmp_path: Path) -> None:
    touch(tmp_path / "in" / "call.vtt")
    touch(tmp_path / "in" / "call.srt")
    other = touch(tmp_path / "elsewhere" / "call.vtt")
    found = discover([tmp_path / "in", other], tmp_path / "out")
    assert [i.stem for i in found] == ["call", "call.vtt", "call.vtt-2"]
    assert len({(i.out_dir, i.stem) for i in found}) == 3


def test_the_output_folder_inside_the_input_folder_is_not_searched(tmp_path: Path) -> None:
    touch(tmp_path / "in" / "a.vtt")
    touch(tmp_path / "in" / "out" / "old.vtt")  # e.g. an input copied into the output by hand
    found = discover([tmp_path / "in"], tmp_path / "in" / "out")
    assert [i.name for i in found] == ["a.vtt"]


def test_an_empty_folder_has_no_inputs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert discover([tmp_path / "empty"], tmp_path / "out") == []
