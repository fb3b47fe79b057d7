"""Closed forms for officers whose caps bind: one allocation, and the least live hours of a plan.

Under the caps an officer's hours cannot all count, so which of them count is a choice. Each
requirement alone can count at most its hours outside the binding caps plus, per cap, the
lesser of the cap and its hours inside it (``requirement_max``): the requirement's deficit is
at least its minimum less that. When one allocation reaches that bound for every requirement at
once, it is the best there is for every question asked of it: the deficits are each as small as
they can be, so the fewest extra hours is their closed form and the least hours of each kind a
plan must contain is that kind's deficit. ``allocate`` builds such an allocation where the
caps leave room for it (the hours each requirement still needs from a cap fit under it
together); where they do not, the officer goes to the linear program.

For the conditions on delivery, ``plan_room`` finds how many hours of a plan may be
computer-based: z of them under the computer-based cap leave the officer's own hours only the
cap less z, so z is possible exactly when the fewest extra hours under that smaller cap is
still no more than the plan (and the firearms hours, which must be live, still fit). The
fewest extra hours under a smaller cap is piecewise linear in z; its breakpoints are where a
requirement's hours under the cap stop fitting, so it is solved exactly between them.
"""

from __future__ import annotations

import numpy as np

from clee.rules.compiled import BoolArray, CompiledPack, FloatArray

TOLERANCE = 1e-6
EPSILON = 1e-9


def group_need(compiled: CompiledPack, deficits: FloatArray) -> FloatArray:
    """The fewest extra hours that close ``deficits`` (..., requirements): the largest group sum."""
    assert compiled.groups is not None
    sums = [deficits[..., list(group)].sum(axis=-1) for group in compiled.groups]
    need: FloatArray = np.max(sums, axis=0) if sums else np.zeros(deficits.shape[:-1])
    return need


def _pick_order(compiled: CompiledPack) -> list[int]:
    """Requirements whose hours under a cap are picked one after the other: areas first, then
    topics, then the rest (approved provider), so a later pick can use what an earlier took."""
    rank = {"area": 0, "topic": 1}
    order = sorted(
        (r for r in range(len(compiled.minimum_list)) if r not in compiled.everywhere),
        key=lambda r: (rank.get(compiled.requirement_dimension[r], 2), r),
    )
    return order


def allocate(
    compiled: CompiledPack, hours: FloatArray, limits: FloatArray, held: BoolArray
) -> tuple[FloatArray, BoolArray]:
    """An allocation of each officer's hours (officers, classes) under per-officer cap
    ``limits`` (officers, caps), and whether it reaches every requirement's bound.

    ``held`` (officers, caps) marks the caps that may hold hours back for that officer (its
    hours there exceed the limit); every other hour counts. Under each held cap, each
    requirement's still-needed hours are picked in class order from what is left, then the
    cap is filled with the rest in class order: a fixed procedure, so the same officer gets
    the same allocation in any batch. Caps must share no class (checked by the caller).
    """
    allocation = hours.copy()
    held_classes = held.astype(float) @ compiled.cap_members > 0
    counted_free = (hours * ~held_classes) @ compiled.counts_toward  # outside every held cap
    need = np.maximum(0.0, compiled.minimums - counted_free)
    decided = np.zeros_like(hours, dtype=bool)  # classes of a cap done, when caps share classes
    fits = np.ones(len(hours), dtype=bool)
    order = _pick_order(compiled)
    # The cap a plan's hours may fall under is done last: ``plan_room`` shrinks it alone.
    cap_order = [c for c in range(len(compiled.cap_classes)) if c != compiled.plan_cap]
    cap_order += [] if compiled.plan_cap is None else [compiled.plan_cap]
    for cap in cap_order:
        rows = np.flatnonzero(held[:, cap])
        if not len(rows):
            continue
        classes = compiled.cap_classes[cap]
        positions = compiled.cap_requirement_positions[cap]
        done = decided[np.ix_(rows, classes)]  # counted already under an earlier cap
        under = np.where(done, 0.0, hours[np.ix_(rows, classes)])
        taken = np.zeros_like(under)
        left_need = need[rows]
        for requirement in order:
            where = positions[requirement]
            if not len(where):
                continue
            wanted = left_need[:, requirement] - taken[:, where].sum(axis=1)
            taken[:, where] += _prefix(under[:, where] - taken[:, where], wanted)
        limit = limits[rows, cap] - np.where(done, allocation[np.ix_(rows, classes)], 0.0).sum(axis=1)
        used = taken.sum(axis=1)
        fits[rows] &= used <= limit + EPSILON
        # The rest of the room: hours under this cap alone first, so that hours another cap
        # also holds leave its room to others (the most hours in all).
        alone = compiled.cap_alone[cap]
        room = np.maximum(0.0, limit - used)
        filled = _prefix((under - taken) * alone, room)
        taken += filled + _prefix((under - taken - filled) * ~alone, room - filled.sum(axis=1))
        allocation[np.ix_(rows, classes)] = np.where(done, allocation[np.ix_(rows, classes)], taken)
        decided[np.ix_(rows, classes)] = True
        need[rows] = np.maximum(0.0, left_need - taken @ compiled.counts_toward[classes])
    return allocation, fits


def _prefix(available: FloatArray, wanted: FloatArray) -> FloatArray:
    """Up to ``wanted`` hours per officer from ``available``, taken in column order."""
    before = np.cumsum(available, axis=1) - available
    taken: FloatArray = np.minimum(available, np.maximum(0.0, wanted[:, None] - before))
    return taken


def requirement_bounds(compiled: CompiledPack, hours: FloatArray, limits: FloatArray) -> FloatArray:
    """The most hours each requirement alone can count, and the total (the last column), under
    per-officer cap ``limits``: the hours outside the caps plus, for caps that share no class,
    the lesser of each cap and its hours; for two caps that share classes (hours a under both,
    b under the first only, c under the second only, limits m and n), the least of a + b + c,
    m + c, n + b and m + n (at most m count under the first, n under the second)."""
    return _bounds(compiled, _blocks(compiled, hours), limits)


def _blocks(compiled: CompiledPack, hours: FloatArray) -> list[FloatArray]:
    """The hours toward each requirement and the total in each block of ``bound_parts``."""
    if compiled.bound_form is None:
        raise ValueError("no closed form: more than two caps share classes")
    split = hours @ compiled.bound_parts
    width = len(compiled.minimum_list) + 1
    return [split[:, i * width : (i + 1) * width] for i in range(split.shape[1] // width)]


def _bounds(compiled: CompiledPack, blocks: list[FloatArray], limits: FloatArray) -> FloatArray:
    """``requirement_bounds`` from the blocks; ``limits`` (officers, ..., caps) may carry more
    axes (several limits per officer), the result then has them too."""
    extra = limits.ndim - 2
    shaped = [b.reshape(b.shape[0], *([1] * extra), b.shape[1]) for b in blocks]
    bounds: FloatArray = shaped[0] + 0.0
    if compiled.bound_form == "pair":
        both, first, second = shaped[1:]
        m, n = limits[..., [0]], limits[..., [1]]
        least = np.minimum(np.minimum(both + first + second, m + second), np.minimum(n + first, m + n))
        bounds = bounds + least
    else:
        for cap, under in enumerate(shaped[1:]):
            bounds = bounds + np.minimum(limits[..., [cap]], under)
    return bounds


def plan_room(
    compiled: CompiledPack, hours: FloatArray, deficits: FloatArray, additional: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """The most hours of a plan of ``additional`` hours that may fall under the plan cap
    (computer-based), per officer, and whether the closed form answered exactly.

    Exact where an allocation reaches every bound under the cap shrunk by that many hours and
    no requirement other than the total is then shorter than ``deficits`` (else the officer
    goes to the linear program, which also says whether the conditions are enough together).
    """
    cap = compiled.plan_cap
    count = len(hours)
    if cap is None:
        return additional.copy(), np.ones(count, dtype=bool)
    live_need = _live_need(compiled, deficits)
    # Where the whole plan fits under the cap beside every hour already there, any of it may
    # be computer-based but the hours only live hours meet.
    fits_beside = hours @ compiled.cap_columns[:, cap] + additional <= compiled.maximums[cap] + EPSILON
    room = np.maximum(0.0, additional - live_need)
    exact = np.ones(count, dtype=bool)
    rest = np.flatnonzero(~fits_beside)
    if len(rest):
        room[rest], exact[rest] = _plan_room_shrinking(
            compiled, hours[rest], deficits[rest], additional[rest], live_need[rest]
        )
    return room, exact


def _live_need(compiled: CompiledPack, deficits: FloatArray) -> FloatArray:
    """The fewest live hours a plan needs for the requirements only live hours meet."""
    live = list(compiled.live_requirements)
    need = np.zeros(len(deficits))
    assert compiled.groups is not None
    for group in compiled.groups:
        in_group = [r for r in group if r in live]
        if in_group:
            need = np.maximum(need, deficits[:, in_group].sum(axis=1))
    return need


def _plan_room_shrinking(
    compiled: CompiledPack,
    hours: FloatArray,
    deficits: FloatArray,
    additional: FloatArray,
    live_need: FloatArray,
) -> tuple[FloatArray, BoolArray]:
    """``plan_room`` where the plan's computer-based hours would displace some already there."""
    cap = compiled.plan_cap
    assert cap is not None
    count = len(hours)
    limit = float(compiled.maximums[cap])
    limits = np.tile(compiled.maximums, (count, 1))
    width = len(compiled.minimum_list)
    minimums = compiled.minimums
    blocks = _blocks(compiled, hours)

    def deficits_at(shrink: FloatArray) -> FloatArray:
        """Each requirement's least deficit with the plan cap shrunk by ``shrink`` (officers, k)."""
        shrunk = np.repeat(limits[:, None, :], shrink.shape[1], axis=1)
        shrunk[..., cap] = np.maximum(0.0, limit - shrink)
        result: FloatArray = np.maximum(0.0, minimums - _bounds(compiled, blocks, shrunk)[..., :width])
        return result

    # Where the bounds bend as the cap shrinks by z: a term of the least starts or stops being
    # the least, or a requirement's bound falls below its minimum.
    outside = blocks[0][:, :width]
    if compiled.bound_form == "pair":
        both, first, second = (b[:, :width] for b in blocks[1:])
        own, other = (first, second) if cap == 0 else (second, first)
        other_limit = float(compiled.maximums[1 - cap])
        everything = both + first + second
        bends = [
            limit + other - everything,
            limit + other - other_limit - own,
            limit + other_limit - everything,
            limit - own,
            limit + other + outside - minimums,
            limit + other_limit + outside - minimums,
        ]
    else:
        own = blocks[1 + cap][:, :width]
        base = outside + sum(
            (np.minimum(compiled.maximums[c], b[:, :width]) for c, b in enumerate(blocks[1:]) if c != cap),
            np.zeros_like(outside),
        )
        bends = [limit - own, limit - (minimums - base)]
    top = np.minimum(additional, limit)
    candidates = np.concatenate([np.zeros((count, 1)), top[:, None], *bends], axis=1)
    candidates = np.sort(np.clip(candidates, 0.0, top[:, None]), axis=1)
    at = deficits_at(candidates)  # (officers, candidates, requirements)
    assert compiled.groups is not None
    room = top.copy()
    for group in compiled.groups:
        sums = at[..., list(group)].sum(axis=-1)  # nondecreasing along the candidates
        within = sums <= additional[:, None] + EPSILON
        last = within.sum(axis=1) - 1  # the last candidate within the plan (index 0 always is)
        after = np.minimum(last + 1, candidates.shape[1] - 1)
        rows = np.arange(count)
        z0, z1 = candidates[rows, last], candidates[rows, after]
        s0, s1 = sums[rows, last], sums[rows, after]
        rising = s1 - s0 > EPSILON
        ahead = np.where(rising, (additional - s0) / np.where(rising, s1 - s0, 1.0), 0.0)
        reach = np.where(last == candidates.shape[1] - 1, top, z0 + np.clip(ahead, 0.0, 1.0) * (z1 - z0))
        room = np.minimum(room, reach)
    # Beyond the cap itself a computer-based hour of the plan cannot count at all.
    beyond = (room >= limit - EPSILON) & (additional > limit)
    if beyond.any():
        at_zero = group_need(compiled, deficits_at(np.full((count, 1), limit))[:, 0, :])
        room = np.where(beyond, np.minimum(additional, limit + additional - at_zero), room)
    room = np.maximum(0.0, np.minimum(room, additional - live_need))
    # Exact only if one allocation under the shrunk cap reaches every bound and no
    # requirement (but the total) is shorter than before.
    shrunk = limits.copy()
    shrunk[:, cap] = np.maximum(0.0, limit - room)
    held = hours @ compiled.cap_columns > shrunk + EPSILON
    allocation, fits = allocate(compiled, hours, shrunk, held)
    reached = np.maximum(0.0, minimums - allocation @ compiled.counts_toward)
    bound = np.maximum(0.0, minimums - requirement_bounds(compiled, hours, shrunk)[:, :width])
    partial = [r for r in range(len(minimums)) if r not in compiled.everywhere]
    exact = fits & (np.abs(reached - bound) <= TOLERANCE).all(axis=1)
    exact &= (bound[:, partial] <= deficits[:, partial] + TOLERANCE).all(axis=1)
    return room, exact
