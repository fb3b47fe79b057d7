"""The exact allocation: block-diagonal linear programs solved by HiGHS, many officers at once.

Officers whose caps bind are solved together: their problems share no variable, so one LP
whose objective is the sum of theirs is solved by solving each, and one HiGHS object (kept per
thread and reused) answers a whole batch with one model and a change of objective per question.
"""

from __future__ import annotations

import threading

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


def maxima_by_lp(compiled: CompiledPack, hours: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The most hours each requirement, and the total, can count under the caps.

    One model for the whole block; one solve per requirement, changing only the objective.
    """
    highs = _highs()
    officers = hours.shape[0]
    caps = compiled.cap_members.astype(bool)
    cap_count = caps.shape[0]
    column_officer, column_class = np.nonzero(hours)
    column_count = len(column_class)
    if column_count == 0:  # no hours at all: nothing can count
        return np.zeros((officers, compiled.requirement_members.shape[0])), np.zeros(officers)
    start, index, value = _matrix(column_officer, column_class, caps, cap_count)
    _pass(
        highs,
        np.zeros(column_count),
        hours[column_officer, column_class],
        np.full(officers * cap_count, -highspy.kHighsInf),
        np.tile(compiled.maximums, officers),
        start,
        index,
        value,
    )
    all_columns = np.arange(column_count, dtype=np.int32)
    objectives = [*compiled.requirement_members.astype(bool), np.ones(compiled.class_count, dtype=bool)]
    found = []
    for counts in objectives:
        weight = counts[column_class].astype(float)
        highs.changeColsCost(column_count, all_columns, -weight)
        solution = _run(highs)
        found.append(np.bincount(column_officer, weights=solution * weight, minlength=officers))
    requirement_max: FloatArray = np.array(found[:-1], dtype=float).T.reshape(officers, -1)
    return requirement_max, np.asarray(found[-1], dtype=float)


def fewest_extra_hours(
    compiled: CompiledPack, hours: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per officer: the fewest extra hours (best attributes) that meet every minimum under the
    caps, the deficits of the allocation behind that answer, and that allocation's cap usage."""
    highs = _highs()
    officers = hours.shape[0]
    requirements = compiled.requirement_members.astype(bool)
    caps = compiled.cap_members.astype(bool)
    cap_count, requirement_count = caps.shape[0], requirements.shape[0]
    column_officer, column_class = np.nonzero(hours)
    x_count = len(column_class)
    extra_count = len(compiled.extra_hours)
    rows_per_officer = cap_count + requirement_count
    class_members = np.vstack([caps, requirements])
    extra_members = np.vstack([compiled.extra_cap_members, compiled.extra_requirement_members]).astype(bool)
    x_start, x_index, x_value = _matrix(column_officer, column_class, class_members, rows_per_officer)
    extra_officer = np.repeat(np.arange(officers), extra_count)
    extra_kind = np.tile(np.arange(extra_count), officers)
    y_start, y_index, y_value = _matrix(extra_officer, extra_kind, extra_members, rows_per_officer)
    start = np.concatenate([x_start[:-1], y_start + x_start[-1]]).astype(np.int32)
    no_limit = highspy.kHighsInf
    row_lower = np.tile(np.concatenate([np.full(cap_count, -no_limit), compiled.minimums]), officers)
    row_upper = np.tile(np.concatenate([compiled.maximums, np.full(requirement_count, no_limit)]), officers)
    _pass(
        highs,
        np.concatenate([np.zeros(x_count), np.ones(len(extra_kind))]),
        np.concatenate([hours[column_officer, column_class], np.full(len(extra_kind), no_limit)]),
        row_lower,
        row_upper,
        start,
        np.concatenate([x_index, y_index]),
        np.concatenate([x_value, y_value]),
    )
    solution = _run(highs)
    allocation = np.zeros_like(hours)
    allocation[column_officer, column_class] = solution[:x_count]
    extra = solution[x_count:].reshape(officers, extra_count)
    deficits = np.maximum(0.0, compiled.minimums - allocation @ compiled.requirement_members.T)
    return extra.sum(axis=1), deficits, allocation @ compiled.cap_members.T
