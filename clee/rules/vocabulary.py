"""The fixed words of a credit: core areas, subjects, provider classes, deliveries, sources.

Topics are not here: each rule pack names the topics it knows (see ``RulePack.topics``).
"""

from typing import Final

CORE_AREAS: Final = (
    "legal_studies",
    "technical_studies",
    "interpersonal_perspectives",
    "skill_development",
)
CORE_AREA_LABELS: Final = {
    "legal_studies": "Legal Studies",
    "technical_studies": "Technical Studies",
    "interpersonal_perspectives": "Interpersonal Perspectives",
    "skill_development": "Skill Development",
}
# Firearms is a designated subject inside Skill Development (11 CSR 75-15.020).
SUBJECTS: Final = ("firearms",)
SUBJECT_CORE_AREA: Final = {"firearms": "skill_development"}
PROVIDER_CLASSES: Final = ("approved", "licensed")
DELIVERIES: Final = ("live", "computer_based")
SOURCES: Final = ("course", "instruction", "college", "military", "out_of_state")
SOURCE_LABELS: Final = {
    "course": "course",
    "instruction": "hours taught",
    "college": "college course",
    "military": "military training",
    "out_of_state": "out-of-state course",
}

# The attributes a rule pack's ``where`` may test, with the values each may take.
# ``topic`` is completed per pack; ``none`` is the part of a credit outside any topic.
WHERE_ATTRIBUTES: Final = {
    "core_area": CORE_AREAS,
    "subject": ("firearms", "none"),
    "topic": (),
    "provider_class": PROVIDER_CLASSES,
    "delivery": DELIVERIES,
    "source": SOURCES,
}
