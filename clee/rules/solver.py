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


class Details:
    """What the linear program says of each officer beyond the answers, for the breakdown.

    ``least`` (officers, conditions): the least hours of each condition's kinds in any plan of
    the fewest extra hours. ``deficits`` (officers, requirements): the deficits of one best
    allocation, chosen the same way whatever the batch: each requirement's deficit as small as
    it can be, in pack order, among the allocations the fewest extra hours can complete.
    ``total``: the most hours that allocation can count in all. ``plan_room``: the most plan
    hours the plan cap (computer-based) can still take beside that allocation.
    """

    __slots__ = ("additional", "deficits", "joint", "least", "plan_room", "total")

    def __init__(
        self,
        additional: FloatArray,
        least: FloatArray,
        deficits: FloatArray,
        total: FloatArray,
        plan_room: FloatArray,
    ) -> None:
        self.additional, self.least, self.deficits = additional, least, deficits
        self.total, self.plan_room = total, plan_room
        self.joint = np.zeros(len(additional), dtype=bool)


# Slack when an optimum found at one stage bounds the next: far below the reported precision.
FIX = 1e-7
TOLERANCE = 1e-6


def exact_details(compiled: CompiledPack, hours: FloatArray, *, lexicographic: bool = False) -> Details:
    """The breakdown's numbers for these officers, by a sequence of objectives on one model.

    Columns per officer: the hours counted of each class (x, at most the hours), the hours of
    each kind in a plan (y) and each requirement's deficit (s). Rows per officer: each cap over
    x and y, each requirement over x and y (met with the plan), each requirement over x and s
    (s is at least what x leaves short), and the plan's size. The objectives: the fewest plan
    hours (then the size is held to it); the least hours of each condition's kinds; each
    deficit in pack order (each then held); the most counted hours; the least hours of the
    allocation under the plan cap. Every number is an optimal value, so it is the officer's
    own, whatever the solver's path or the officers beside it in the block.

    Without ``lexicographic``, the deficits of the requirements the conditions are about are
    found in one solve where they can all be at their conditions at once; ``joint`` marks the
    officers for whom they cannot, whose deficits must come from a ``lexicographic`` pass.
    """
    highs = _highs()
    officers = hours.shape[0]
    caps = compiled.cap_members.astype(bool)
    requirements = compiled.requirement_members.astype(bool)
    kind_caps, kind_requirements = compiled.kind_cap_members, compiled.kind_requirement_members
    cap_count, requirement_count = caps.shape[0], requirements.shape[0]
    kind_count = len(compiled.kinds)
    rows_per_officer = cap_count + 2 * requirement_count + 1
    plan_row = rows_per_officer - 1

    x_officer, x_class = np.nonzero(hours)
    x_members = np.vstack([caps, requirements, requirements, np.zeros((1, compiled.class_count), bool)])
    y_members = np.vstack(
        [
            kind_caps,
            kind_requirements,
            np.zeros((requirement_count, kind_count), bool),
            np.ones((1, kind_count), bool),
        ]
    )
    s_members = np.vstack(
        [
            np.zeros((cap_count + requirement_count, requirement_count), bool),
            np.eye(requirement_count, dtype=bool),
            np.zeros((1, requirement_count), bool),
        ]
    )
    y_officer = np.repeat(np.arange(officers), kind_count)
    y_kind = np.tile(np.arange(kind_count), officers)
    s_officer = np.repeat(np.arange(officers), requirement_count)
    s_requirement = np.tile(np.arange(requirement_count), officers)
    pieces = [
        _matrix(x_officer, x_class, x_members, rows_per_officer),
        _matrix(y_officer, y_kind, y_members, rows_per_officer),
        _matrix(s_officer, s_requirement, s_members, rows_per_officer),
    ]
    starts, indexes, values, offset = [], [], [], 0
    for piece_start, piece_index, piece_value in pieces:
        starts.append(piece_start[:-1] + offset)
        indexes.append(piece_index)
        values.append(piece_value)
        offset += piece_start[-1]
    start = np.concatenate([*starts, [offset]]).astype(np.int32)
    x_count, y_count, s_count = len(x_class), len(y_kind), len(s_requirement)
    column_count = x_count + y_count + s_count
    no_limit = highspy.kHighsInf
    block_lower = np.concatenate(
        [np.full(cap_count, -no_limit), compiled.minimums, compiled.minimums, [-no_limit]]
    )
    block_upper = np.concatenate([compiled.maximums, np.full(2 * requirement_count, no_limit), [no_limit]])
    upper = np.concatenate([hours[x_officer, x_class], np.full(y_count + s_count, no_limit)])
    _pass(
        highs,
        np.zeros(column_count),
        upper,
        np.tile(block_lower, officers),
        np.tile(block_upper, officers),
        start,
        np.concatenate(indexes),
        np.concatenate(values),
    )
    all_columns = np.arange(column_count, dtype=np.int32)
    column_officer = np.concatenate([x_officer, y_officer, s_officer])

    def minimize(cost: FloatArray) -> FloatArray:
        """Per officer, the optimal value of ``cost`` (over all columns)."""
        highs.changeColsCost(column_count, all_columns, cost)
        solution = _run(highs)
        return np.asarray(
            np.bincount(column_officer, weights=solution * cost, minlength=officers), dtype=float
        )

    def cost_on(
        x: FloatArray | None = None, y: FloatArray | None = None, s: FloatArray | None = None
    ) -> FloatArray:
        return np.concatenate(
            [
                np.zeros(x_count) if x is None else x,
                np.zeros(y_count) if y is None else y,
                np.zeros(s_count) if s is None else s,
            ]
        )

    additional = np.maximum(0.0, minimize(cost_on(y=np.ones(y_count))))
    plan_rows = (np.arange(officers) * rows_per_officer + plan_row).astype(np.int32)
    highs.changeRowsBounds(  # type: ignore[attr-defined]  # present in highspy, not in its stubs
        officers, plan_rows, np.full(officers, -no_limit), additional + FIX
    )
    least = np.zeros((officers, len(compiled.conditions)))
    for index, condition in enumerate(compiled.conditions):
        least[:, index] = minimize(cost_on(y=condition.members[y_kind].astype(float)))
    deficits = np.zeros((officers, requirement_count))

    def hold(requirement: int, values: FloatArray) -> None:
        """Hold each officer's deficit of ``requirement`` to at most ``values``."""
        columns = (x_count + y_count + np.arange(officers) * requirement_count + requirement).astype(np.int32)
        highs.changeColsBounds(officers, columns, np.zeros(officers), values + FIX)

    stated = [c.index for c in compiled.conditions if c.on == "requirement"]
    joint = np.zeros(officers, dtype=bool)
    # Deficits equal to the conditions are the least sum only where each condition is the
    # least deficit of its requirement (the closed forms' packs): elsewhere, pack order.
    if lexicographic or not compiled.closed:
        order = list(range(requirement_count))
    else:
        # Where one best allocation leaves every stated requirement short by exactly its
        # condition (the usual case), those deficits are the least sum: one solve finds them.
        # The officers for whom it does not are returned ``joint`` for a lexicographic pass.
        chosen = np.isin(s_requirement, stated).astype(float)
        summed = minimize(cost_on(s=chosen))
        conditions = sum(
            (least[:, p] for p, c in enumerate(compiled.conditions) if c.on == "requirement"), 0.0
        )
        joint = summed > np.asarray(conditions) + TOLERANCE * max(1, len(stated))
        solution = np.asarray(highs.getSolution().col_value)
        found_deficits = solution[x_count + y_count :].reshape(officers, requirement_count)
        for position, condition in enumerate(compiled.conditions):
            if condition.on == "requirement":
                r = condition.index
                deficits[:, r] = np.where(joint, found_deficits[:, r], least[:, position])
                hold(r, np.maximum(deficits[:, r], 0.0))
        order = [r for r in range(requirement_count) if r not in stated]
    for requirement in order:
        chosen = (s_requirement == requirement).astype(float)
        deficits[:, requirement] = np.maximum(0.0, minimize(cost_on(s=chosen)))
        hold(requirement, deficits[:, requirement])
    total = -minimize(cost_on(x=-np.ones(x_count)))
    plan_room = np.full(officers, np.inf)
    if compiled.plan_cap is not None:
        # Room for the plan's computer-based hours: an allocation no shorter than the
        # conditions allow (the total as short as the plan can make up) leaving the cap
        # as empty as it can.
        allowed = deficits.copy()
        for position, condition in enumerate(compiled.conditions):
            if condition.on == "requirement":
                allowed[:, condition.index] = np.maximum(allowed[:, condition.index], least[:, position])
        for requirement in compiled.everywhere:
            allowed[:, requirement] = additional
        columns = (x_count + y_count + np.arange(s_count)).astype(np.int32)
        highs.changeColsBounds(s_count, columns, np.zeros(s_count), allowed.reshape(-1) + FIX)
        under = caps[compiled.plan_cap][x_class].astype(float)
        plan_room = compiled.maximums[compiled.plan_cap] - minimize(cost_on(x=under))
    found = Details(additional, least, deficits, total, plan_room)
    found.joint = joint
    return found
