"""skvhp.save / skvhp.load: exact round trips, and files that cannot run code or sneak in
bad models."""

import json
import pickle

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.torch import save_file
from sklearn.pipeline import make_pipeline

import skvhp
from skvhp import IWAE, LatentGraphInterpolator, VampPriorVAE, VHPAutoencoder
from skvhp._model_files import _digest

from .conftest import small

# REWO leaves its initial phase within the two epochs of these tests.
FAST_VHP = dict(k=3, kappa=0.33, alpha=0.5, learning_rate=2e-2, prior_hidden_layer_sizes=(4,))
MODELS = {
    "iwae": lambda: small(IWAE, k=3),
    "iwae_l2_warmup": lambda: small(IWAE, n_layers=2, n_components_z1=3, warmup_epochs=1),
    "vamp": lambda: small(VampPriorVAE, n_pseudo_inputs=5),
    "vamp_l2": lambda: small(VampPriorVAE, n_layers=2, n_components_z1=2, n_pseudo_inputs=5),
    "vhp_rewo": lambda: small(VHPAutoencoder, **FAST_VHP),
    "vhp_warmup_early_stopping": lambda: small(
        VHPAutoencoder, schedule="warmup", warmup_epochs=1, early_stopping=True
    ),
}


def outputs(model, X):
    Z = model.transform(X)
    return (
        Z,
        model.inverse_transform(Z),
        model.score_samples(X),
        model.sample(3, random_state=1),
    )


@pytest.mark.parametrize("name", list(MODELS))
def test_a_loaded_model_is_the_saved_one(name, digits01, tmp_path):
    model = MODELS[name]().set_params(random_state=0).fit(digits01)
    path = tmp_path / "model.safetensors"
    skvhp.save(model, path)
    loaded = skvhp.load(path)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    for a, b in zip(outputs(model, digits01[:30]), outputs(loaded, digits01[:30]), strict=True):
        np.testing.assert_array_equal(a, b)
    assert loaded.history_ == model.history_ and loaded.n_iter_ == model.n_iter_
    if hasattr(model, "schedule_"):
        assert vars(loaded.schedule_) == vars(model.schedule_)
        assert loaded.iteration_history_ == model.iteration_history_
    # Resuming from the file continues exactly as the saved model would.
    model.set_params(warm_start=True, max_iter=1).fit(digits01)
    loaded.set_params(warm_start=True, max_iter=1).fit(digits01)
    for key, value in model.module_.state_dict().items():
        assert torch.equal(value, loaded.module_.state_dict()[key]), key


def test_without_the_training_state_the_file_is_smaller(digits01, tmp_path):
    model = small(VHPAutoencoder, random_state=0, **FAST_VHP).fit(digits01)
    full, light = tmp_path / "full.safetensors", tmp_path / "light.safetensors"
    skvhp.save(model, full)
    skvhp.save(model, light, include_training_state=False)
    assert light.stat().st_size < 0.6 * full.stat().st_size
    loaded = skvhp.load(light)
    assert not hasattr(loaded, "_training_state_")
    np.testing.assert_array_equal(loaded.transform(digits01), model.transform(digits01))
    loaded.set_params(warm_start=True, max_iter=1).fit(digits01)  # resumes from the weights


def test_feature_names_survive(digits01, tmp_path):
    import pandas as pd

    frame = pd.DataFrame(digits01, columns=[f"pixel{i}" for i in range(digits01.shape[1])])
    model = small(IWAE, random_state=0).fit(frame)
    skvhp.save(model, tmp_path / "m.safetensors")
    loaded = skvhp.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(loaded.feature_names_in_, model.feature_names_in_)


@pytest.fixture
def saved(digits01, tmp_path):
    model = small(VHPAutoencoder, random_state=0, **FAST_VHP).fit(digits01)
    path = tmp_path / "model.safetensors"
    skvhp.save(model, path)
    with safe_open(str(path), framework="pt") as handle:
        metadata = dict(handle.metadata())
        tensors = {k: handle.get_tensor(k) for k in handle.keys()}
    return path, metadata, tensors


def rewrite(path, metadata, tensors, *, digest=True):
    """Write a file by hand; with ``digest`` its digest matches (a crafted file, so that
    the checks behind the digest are reached)."""
    if digest:
        metadata = dict(metadata, digest=_digest(metadata, tensors))
    save_file(tensors, str(path), metadata=metadata)
    return path


def test_a_pickle_in_disguise_never_runs(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(ValueError, match="not a readable model file"):
        skvhp.load(path)
    assert not marker.exists()


def test_names_in_the_file_are_never_imported_or_called(saved, tmp_path):
    path, metadata, tensors = saved
    marker = tmp_path / "pwned"
    evil = dict(metadata, estimator=f"__import__('os').system('touch {marker}')")
    with pytest.raises(ValueError, match="unknown estimator"):
        skvhp.load(rewrite(tmp_path / "a.safetensors", evil, tensors))
    state = json.loads(metadata["state"])
    state["__dict__"].append(["_make_module", {"__schedule__": "os.system", "state": {}}])
    evil = dict(metadata, state=json.dumps(state))
    with pytest.raises(ValueError, match="unknown value|unexpected"):
        skvhp.load(rewrite(tmp_path / "b.safetensors", evil, tensors))
    assert not marker.exists()


def test_damaged_and_tampered_files_are_refused(saved, tmp_path):
    path, metadata, tensors = saved
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="not a readable model file"):
        skvhp.load(truncated)
    newer = dict(metadata, format_version="99")
    with pytest.raises(ValueError, match="upgrade skvhp"):
        skvhp.load(rewrite(tmp_path / "newer.safetensors", newer, tensors))
    with pytest.raises(ValueError, match="not one skvhp wrote"):
        skvhp.load(rewrite(tmp_path / "other.safetensors", {"format": "x"}, tensors))
    first = sorted(tensors)[0]
    missing = {k: v for k, v in tensors.items() if k != first}
    with pytest.raises(ValueError, match="lacks the tensor"):
        skvhp.load(rewrite(tmp_path / "missing.safetensors", metadata, missing))
    reshaped = {k: torch.zeros(v.numel() + 1) if v.ndim else v for k, v in tensors.items()}
    with pytest.raises(ValueError, match="do not fit"):
        skvhp.load(rewrite(tmp_path / "shapes.safetensors", metadata, reshaped))
    bad = metadata["state"].replace('"likelihood", "bernoulli"', '"likelihood", "evil"')
    assert bad != metadata["state"]
    with pytest.raises(ValueError, match="likelihood"):
        skvhp.load(rewrite(tmp_path / "params.safetensors", dict(metadata, state=bad), tensors))


def test_only_fitted_estimators_of_the_package_are_saved(digits01, tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        skvhp.save(small(IWAE), tmp_path / "m.safetensors")
    graph = LatentGraphInterpolator(small(IWAE, random_state=0).fit(digits01), n_nodes=20)
    with pytest.raises(TypeError, match="LatentGraphInterpolator"):
        skvhp.save(graph, tmp_path / "g.safetensors")
    pipeline = make_pipeline(small(IWAE, random_state=0).fit(digits01))
    with pytest.raises(TypeError, match="not Pipeline: save each fitted") as error:
        skvhp.save(pipeline, tmp_path / "p.safetensors")
    assert "LatentGraphInterpolator" not in str(error.value)


def test_non_finite_weights_are_refused(saved, tmp_path):
    path, metadata, tensors = saved
    key = sorted(tensors)[0]
    for value in (float("nan"), float("inf")):
        poisoned = dict(tensors, **{key: tensors[key].clone()})
        poisoned[key].view(-1)[0] = value
        with pytest.raises(ValueError, match="non-finite"):  # with a matching digest too
            skvhp.load(rewrite(tmp_path / "nan.safetensors", metadata, poisoned))


def test_a_flipped_bit_in_the_tensors_or_the_header_is_refused(saved, tmp_path):
    path, metadata, tensors = saved
    data = path.read_bytes()
    header_end = 8 + int.from_bytes(data[:8], "little")
    for offset in (len(data) - 3, header_end + 1, data.index(b"kappa") + 9):
        flipped = bytearray(data)
        flipped[offset] ^= 0x01
        (tmp_path / "flip.safetensors").write_bytes(bytes(flipped))
        with pytest.raises(ValueError):
            skvhp.load(tmp_path / "flip.safetensors")
    with pytest.raises(ValueError, match="digest"):  # the digest itself altered
        wrong = dict(metadata, digest="0" * 64)
        skvhp.load(rewrite(tmp_path / "d.safetensors", wrong, tensors, digest=False))
    for field, value in (("format_version", "1"), ("format_version", "0"), ("skvhp_version", "9")):
        with pytest.raises(ValueError, match="digest"):  # the digest covers every field
            changed = dict(metadata, **{field: value})
            skvhp.load(rewrite(tmp_path / "v.safetensors", changed, tensors, digest=False))


def test_a_version_1_file_without_a_digest_still_loads(saved, tmp_path, digits01):
    path, metadata, tensors = saved
    old = {k: v for k, v in metadata.items() if k != "digest"}
    old["format_version"] = "1"
    loaded = skvhp.load(rewrite(tmp_path / "v1.safetensors", old, tensors, digest=False))
    expected = skvhp.load(path)
    np.testing.assert_array_equal(loaded.transform(digits01), expected.transform(digits01))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_randomly_corrupted_file_is_refused_or_loads_the_same_model(saved, tmp_path, data):
    """Bytes, header fields or tensor values changed at random: a ValueError, or a model
    identical to the saved one; never NaN, never another error."""
    path, metadata, tensors = saved
    original = path.read_bytes()
    kind = data.draw(st.sampled_from(["bytes", "header", "tensor"]))
    target = tmp_path / "corrupt.safetensors"
    if kind == "bytes":
        corrupt = bytearray(original)
        for _ in range(data.draw(st.integers(1, 4))):
            offset = data.draw(st.integers(0, len(corrupt) - 1))
            corrupt[offset] = data.draw(st.integers(0, 255))
        target.write_bytes(bytes(corrupt))
    elif kind == "header":
        state = metadata["state"]
        start = data.draw(st.integers(0, len(state) - 1))
        stop = data.draw(st.integers(start, min(len(state), start + 8)))
        text = data.draw(st.text(alphabet='0123456789.-e"[]{},: abtn', max_size=8))
        rewrite(
            target, dict(metadata, state=state[:start] + text + state[stop:]), tensors, digest=False
        )
    else:
        key = data.draw(st.sampled_from(sorted(tensors)))
        changed = dict(tensors, **{key: tensors[key].clone()})
        if changed[key].numel() and changed[key].is_floating_point():
            index = data.draw(st.integers(0, changed[key].numel() - 1))
            changed[key].view(-1)[index] = data.draw(st.floats(allow_nan=True, width=32))
        rewrite(target, metadata, changed, digest=False)
    try:
        loaded = skvhp.load(target)
    except ValueError:
        return
    reference = skvhp.load(path)
    for key, value in reference.module_.state_dict().items():
        assert torch.equal(loaded.module_.state_dict()[key], value)
    assert loaded.get_params() == reference.get_params()


def test_a_model_saved_on_a_gpu_loads_on_the_cpu(saved, tmp_path, monkeypatch):
    path, metadata, tensors = saved
    state = metadata["state"].replace('"device", "cpu"', '"device", "cuda"')
    state = state.replace('"device_", "cpu"', '"device_", "cuda:0"')
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="no CUDA"):
        loaded = skvhp.load(
            rewrite(tmp_path / "gpu.safetensors", dict(metadata, state=state), tensors)
        )
    assert loaded.device == "cpu" and loaded.device_ == torch.device("cpu")
