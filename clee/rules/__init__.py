"""The CLEE rules engine: a pure Python package (no Django) that decides compliance.

    >>> from clee.rules import evaluate_document
    >>> evaluate_document({...scenario...}).to_dict()

Rules are YAML data: one rule book per jurisdiction, ``packs/<jurisdiction>.yaml``, whose dated
histories give each reporting period its pack.
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
    scenario_pack,
)
from clee.rules.explain import Needs
from clee.rules.pack import (
    Dated,
    NoPackError,
    PackError,
    RuleBook,
    RulePack,
    available_packs,
    book_from_text,
    load_book,
    load_pack,
    load_pack_file,
    load_rules_file,
    pack_for,
    rules_from_text,
    with_recognized,
)
from clee.rules.scenario import (
    Credit,
    Officer,
    Scenario,
    ScenarioError,
    parse_scenario,
    scenario_pack_key,
)
from clee.rules.table import explain_table


def read_scenario(data: object, rules: RulePack | RuleBook | None = None) -> tuple[Scenario, RulePack]:
    """Check a scenario document and find the pack that decides it: its period's, or the one
    ``rules`` give (a draft pack, or a book's pack for the scenario's period), with the
    scenario's own recognized out-of-state list when it gives one."""
    jurisdiction, period = scenario_pack_key(data)
    pack = load_pack(jurisdiction, period) if rules is None else pack_for(rules, jurisdiction, period)
    scenario = parse_scenario(data, pack)
    return scenario, scenario_pack(scenario, pack)


def evaluate_document(data: object, rules: RulePack | RuleBook | None = None) -> Result:
    """Evaluate a scenario document (parsed JSON); raises ScenarioError or NoPackError."""
    scenario, pack = read_scenario(data, rules)
    return evaluate_officers(compiled_for(pack), [(scenario.officer, scenario.credits)])[0]


__all__ = [
    "Credit",
    "CreditNote",
    "Dated",
    "Needs",
    "NoPackError",
    "Officer",
    "PackError",
    "RequirementResult",
    "Result",
    "RuleBook",
    "RulePack",
    "Scenario",
    "ScenarioError",
    "available_packs",
    "book_from_text",
    "compiled_for",
    "evaluate",
    "evaluate_document",
    "evaluate_many",
    "evaluate_officers",
    "explain_table",
    "load_book",
    "load_pack",
    "load_pack_file",
    "load_rules_file",
    "pack_for",
    "parse_scenario",
    "read_scenario",
    "rules_from_text",
    "scenario_pack",
    "with_recognized",
]
