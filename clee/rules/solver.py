"""The exact allocation: block-diagonal linear programs solved by HiGHS, many officers at once.

Officers whose caps bind are solved together: their problems share no variable, so one LP
whose objective is the sum of theirs is solved by solving each, and one HiGHS object (kept per
thread and reused) answers a whole batch with one model and a change of objective per question.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import highspy
import numpy as np

from clee.rules.compiled import BoolArray, CompiledPack, FloatArray, IntArray

_local = threading.local()


def _highs() -> highspy.Highs:
    highs = getattr(_local, "highs", None)
    if highs is None:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        _local.highs = highs
    return highs


@dataclass
class LpAnswers:
    """Per officer of the block: the most hours each requirement and the total can count,
    the fewest extra hours, the allocation's deficits and cap usage behind that answer."""

    requirement_max: FloatArray  # (officers, requirements)
    total_max: FloatArray  # (officers,)
    additional: FloatArray  # (officers,)
    deficits: FloatArray  # (officers, requirements)
    cap_usage: FloatArray  # (officers, caps)


def _matrix(
    column_officer: IntArray, column_kind: IntArray, members: BoolArray, rows_per_officer: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSC arrays for columns whose rows are ``members[:, kind]`` inside the officer's block."""
    row_count = members.shape[0]
    padded = np.full((members.shape[1], row_count), -1, dtype=np.int64)
    for kind in range(members.shape[1]):
        rows = np.flatnonzero(members[:, kind])
        padded[kind, : len(rows)] = rows
    table = padded[column_kind]
    valid = table >= 0
    index = (column_officer[:, None] * rows_per_officer + table)[valid]
    start = np.zeros(len(column_kind) + 1, dtype=np.int32)
    np.cumsum(valid.sum(axis=1), out=start[1:])
    return start, index.astype(np.int32), np.ones(len(index))


def _pass(
    highs: highspy.Highs,
    cost: FloatArray,
    upper: FloatArray,
    row_lower: FloatArray,
    row_upper: FloatArray,
    start: np.ndarray,
    index: np.ndarray,
    value: np.ndarray,
) -> None:
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(len(cost))
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    highs.clearSolver()
    highs.passModel(lp)


def _run(highs: highspy.Highs) -> np.ndarray:
    highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"the compliance LP did not solve: {highs.modelStatusToString(status)}")
    return np.asarray(highs.getSolution().col_value)


def solve_block(compiled: CompiledPack, hours: FloatArray) -> LpAnswers:
    """Exact answers for the officers whose class hours are the rows of ``hours``."""
    highs = _highs()
    officers = hours.shape[0]
    requirements = compiled.requirement_members.astype(bool)
    caps = compiled.cap_members.astype(bool)
    cap_count, requirement_count = caps.shape[0], requirements.shape[0]
    column_officer, column_class = np.nonzero(hours)
    column_hours = hours[column_officer, column_class]
    x_count = len(column_class)

    # 1. The most hours each requirement (and the total) can count under the caps.
    start, index, value = _matrix(column_officer, column_class, caps, cap_count)
    _pass(
        highs,
        np.zeros(x_count),
        column_hours,
        np.full(officers * cap_count, -highspy.kHighsInf),
        np.tile(compiled.maximums, officers),
        start,
        index,
        value,
    )
    all_columns = np.arange(x_count, dtype=np.int32)
    requirement_max = np.empty((officers, requirement_count))
    objectives = [*requirements, np.ones(compiled.class_count, dtype=bool)]
    maxima = []
    for counts in objectives:
        weight = counts[column_class].astype(float)
        highs.changeColsCost(x_count, all_columns, -weight)
        solution = _run(highs)
        maxima.append(np.bincount(column_officer, weights=solution * weight, minlength=officers))
    requirement_max[:] = np.array(maxima[:-1]).T
    total_max = np.asarray(maxima[-1], dtype=float)

    # 2. The fewest extra hours (best attributes) that meet every minimum under the caps.
    extra_count = len(compiled.extra_hours)
    rows_per_officer = cap_count + requirement_count
    class_members = np.vstack([caps, requirements])
    extra_members = np.vstack([compiled.extra_cap_members, compiled.extra_requirement_members]).astype(bool)
    x_start, x_index, x_value = _matrix(column_officer, column_class, class_members, rows_per_officer)
    extra_officer = np.repeat(np.arange(officers), extra_count)
    extra_kind = np.tile(np.arange(extra_count), officers)
    y_start, y_index, y_value = _matrix(extra_officer, extra_kind, extra_members, rows_per_officer)
    start = np.concatenate([x_start[:-1], y_start + x_start[-1]]).astype(np.int32)
    row_lower = np.tile(np.concatenate([np.full(cap_count, -highspy.kHighsInf), compiled.minimums]), officers)
    row_upper = np.tile(
        np.concatenate([compiled.maximums, np.full(requirement_count, highspy.kHighsInf)]), officers
    )
    _pass(
        highs,
        np.concatenate([np.zeros(x_count), np.ones(len(extra_kind))]),
        np.concatenate([column_hours, np.full(len(extra_kind), highspy.kHighsInf)]),
        row_lower,
        row_upper,
        start,
        np.concatenate([x_index, y_index]),
        np.concatenate([x_value, y_value]),
    )
    solution = _run(highs)
    counted = solution[:x_count]
    extra = solution[x_count:].reshape(officers, extra_count)
    allocation = np.zeros_like(hours)
    allocation[column_officer, column_class] = counted
    deficits = np.maximum(0.0, compiled.minimums - allocation @ compiled.requirement_members.T)
    return LpAnswers(
        requirement_max=requirement_max,
        total_max=total_max,
        additional=extra.sum(axis=1),
        deficits=deficits,
        cap_usage=allocation @ compiled.cap_members.T,
    )
