"""The CLEE rules engine: a pure Python package (no Django) that decides compliance.

    >>> from clee.rules import evaluate_document
    >>> evaluate_document({...scenario...}).to_dict()

Rule packs are YAML data under ``packs/<jurisdiction>/<period>.yaml``.
"""

import os

# The engine's matrix products are small (officers x a few dozen classes): BLAS threads only
# contend with each other and with the other processes of a batch, and make them several times
# slower on a busy machine. One thread each, unless the operator says otherwise; this must be
# set before numpy is first imported to take effect.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from clee.rules.engine import (
    CreditNote,
    RequirementResult,
    Result,
    compiled_for,
    evaluate,
    evaluate_many,
    evaluate_officers,
)
from clee.rules.explain import Needs, explain_table
from clee.rules.pack import (
    NoPackError,
    PackError,
    RulePack,
    available_packs,
    load_pack,
    load_pack_file,
)
from clee.rules.scenario import (
    Credit,
    Officer,
    Scenario,
    ScenarioError,
    parse_scenario,
    scenario_pack_key,
)


def read_scenario(data: object, pack: RulePack | None = None) -> tuple[Scenario, RulePack]:
    """Check a scenario document and find its pack (``pack`` overrides, e.g. a draft)."""
    if pack is None:
        jurisdiction, period = scenario_pack_key(data)
        pack = load_pack(jurisdiction, period)
    return parse_scenario(data, pack), pack


def evaluate_document(data: object, pack: RulePack | None = None) -> Result:
    """Evaluate a scenario document (parsed JSON); raises ScenarioError or NoPackError."""
    scenario, pack = read_scenario(data, pack)
    return evaluate(scenario, pack)


__all__ = [
    "Credit",
    "CreditNote",
    "Needs",
    "NoPackError",
    "Officer",
    "PackError",
    "RequirementResult",
    "Result",
    "RulePack",
    "Scenario",
    "ScenarioError",
    "available_packs",
    "compiled_for",
    "evaluate",
    "evaluate_document",
    "evaluate_many",
    "evaluate_officers",
    "explain_table",
    "load_pack",
    "load_pack_file",
    "parse_scenario",
    "read_scenario",
]
