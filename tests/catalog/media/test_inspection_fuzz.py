"""Whatever bytes arrive, inspection answers with facts or InvalidInput, never another error."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handel.catalog.media import samples
from handel.catalog.media.inspection import inspect_image, inspect_model, inspect_pdf
from handel.core.errors import InvalidInput

PNG = samples.product_picture("fuzz", colour=(10, 20, 30), size=32)
GLB = samples.box_model_glb()


def _mutate(data: bytes, cut: int, flips: list[tuple[int, int]]) -> bytes:
    mutated = bytearray(data[: max(0, len(data) - cut)])
    for position, value in flips:
        if mutated:
            mutated[position % len(mutated)] = value
    return bytes(mutated)


flips = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(PNG)), changes=flips)
@pytest.mark.parametrize("inspect,original", [(inspect_image, PNG), (inspect_model, GLB), (inspect_pdf, PNG)])
def test_damaged_files_are_refused_cleanly(inspect, original, cut, changes):
    with contextlib.suppress(InvalidInput):
        inspect(_mutate(original, cut, changes))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_are_refused_cleanly(data):
    for inspect in (inspect_image, inspect_model, inspect_pdf):
        with contextlib.suppress(InvalidInput):
            inspect(data)
