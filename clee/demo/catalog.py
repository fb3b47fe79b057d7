"""The demo state's course catalog: titles, hours and the split of hours over core areas.

Each course's portions add up to its hours; topic hours sit inside a portion's hours
(seed 001: racial profiling, implicit bias and de-escalation hours count within the 24).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clee.core.choices import CoreArea, Delivery, Subject

LEGAL = CoreArea.LEGAL_STUDIES.value
TECHNICAL = CoreArea.TECHNICAL_STUDIES.value
INTERPERSONAL = CoreArea.INTERPERSONAL_PERSPECTIVES.value
SKILL = CoreArea.SKILL_DEVELOPMENT.value
FIREARMS = Subject.FIREARMS.value
RP, IB, DE = "racial_profiling", "implicit_bias", "de_escalation"
LIVE = Delivery.LIVE.value
CBT = Delivery.COMPUTER_BASED.value


@dataclass(frozen=True)
class PortionTemplate:
    core_area: str
    hours: int
    subject: str = ""
    topics: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class CourseTemplate:
    title: str
    portions: tuple[PortionTemplate, ...]
    delivery: str = LIVE
    synopsis: str = ""
    objectives: tuple[str, ...] = field(default=())

    @property
    def hours(self) -> int:
        return sum(p.hours for p in self.portions)


def _p(core_area: str, hours: int, subject: str = "", **topics: int) -> PortionTemplate:
    return PortionTemplate(core_area, hours, subject, tuple(sorted(topics.items())))


def _c(title: str, *portions: PortionTemplate, delivery: str = LIVE, synopsis: str = "") -> CourseTemplate:
    return CourseTemplate(title, portions, delivery, synopsis)


# Offered by the licensed academies (approved-provider credit), in person.
ACADEMY_COURSES = (
    _c("Legal Update for Patrol Officers", _p(LEGAL, 4, racial_profiling=1)),
    _c("Search and Seizure: Recent Case Law", _p(LEGAL, 2)),
    _c("Use of Force: Law, Policy and De-escalation", _p(LEGAL, 2), _p(INTERPERSONAL, 2, de_escalation=1)),
    _c("Fair and Impartial Policing", _p(INTERPERSONAL, 4, racial_profiling=1, implicit_bias=2)),
    _c("Implicit Bias in Police Contacts", _p(INTERPERSONAL, 2, implicit_bias=2)),
    _c("Racial Profiling: Law and Data Collection", _p(LEGAL, 1, racial_profiling=1), _p(INTERPERSONAL, 1)),
    _c("Crisis Intervention and De-escalation", _p(INTERPERSONAL, 6, de_escalation=4), _p(SKILL, 2)),
    _c("Handgun Qualification", _p(SKILL, 2, FIREARMS)),
    _c("Patrol Rifle Qualification", _p(SKILL, 4, FIREARMS)),
    _c("Low-Light Firearms Qualification", _p(SKILL, 3, FIREARMS)),
    _c("Shotgun and Less-Lethal Munitions", _p(SKILL, 4, FIREARMS)),
    _c("Emergency Vehicle Operations", _p(SKILL, 8)),
    _c("Defensive Tactics Refresher", _p(SKILL, 4)),
    _c("First Aid, CPR and Tourniquet Use", _p(SKILL, 2), _p(TECHNICAL, 2)),
    _c("Report Writing for Patrol", _p(TECHNICAL, 4)),
    _c("Impaired Driving Detection Refresher", _p(TECHNICAL, 6), _p(LEGAL, 2)),
    _c("Crash Investigation Fundamentals", _p(TECHNICAL, 8)),
    _c("Interview and Interrogation", _p(TECHNICAL, 4), _p(INTERPERSONAL, 2), _p(LEGAL, 2)),
    _c("Crime Scene Processing", _p(TECHNICAL, 4)),
    _c("Narcotics Identification", _p(TECHNICAL, 4)),
    _c("Domestic Violence Response", _p(INTERPERSONAL, 2, de_escalation=1), _p(LEGAL, 2)),
    _c("Officer Wellness and Resilience", _p(INTERPERSONAL, 2)),
    _c("Ethics and Professional Conduct", _p(INTERPERSONAL, 2)),
    _c("Active Threat Response", _p(SKILL, 6), _p(TECHNICAL, 2)),
    _c("Human Trafficking Awareness", _p(TECHNICAL, 1), _p(LEGAL, 1)),
    _c("Mental Health First Aid for Public Safety", _p(INTERPERSONAL, 8, de_escalation=2)),
    _c("Autism and Developmental Disabilities Awareness", _p(INTERPERSONAL, 2, de_escalation=1)),
    _c(
        "Community Policing and Cultural Awareness", _p(INTERPERSONAL, 4, implicit_bias=1, racial_profiling=1)
    ),
    _c("Courtroom Testimony", _p(LEGAL, 2)),
    _c("Juvenile Law Update", _p(LEGAL, 2)),
    _c("Traffic Stops: Legal and Tactical Review", _p(LEGAL, 2, racial_profiling=1), _p(SKILL, 2)),
    _c("Cybercrime Investigations", _p(TECHNICAL, 4)),
)

# Offered online by a licensed provider (approved-provider credit, computer-based: at most
# 22 of the 24 hours count, and none toward the live firearms hours).
ONLINE_COURSES = (
    _c("Online: Legal Update", _p(LEGAL, 4), delivery=CBT),
    _c("Online: Racial Profiling Prevention", _p(INTERPERSONAL, 1, racial_profiling=1), delivery=CBT),
    _c("Online: Implicit Bias Awareness", _p(INTERPERSONAL, 1, implicit_bias=1), delivery=CBT),
    _c("Online: De-escalation Principles", _p(INTERPERSONAL, 2, de_escalation=2), delivery=CBT),
    _c("Online: Report Writing", _p(TECHNICAL, 2), delivery=CBT),
    _c("Online: Bloodborne Pathogens", _p(TECHNICAL, 1), delivery=CBT),
    _c("Online: Ethics in Law Enforcement", _p(INTERPERSONAL, 2), delivery=CBT),
    _c("Online: Search and Seizure", _p(LEGAL, 2), delivery=CBT),
    _c("Online: Officer Safety and Wellness", _p(INTERPERSONAL, 2), delivery=CBT),
    _c("Online: Hazardous Materials Awareness", _p(TECHNICAL, 4), delivery=CBT),
    _c("Online: Use of Force Decision-Making", _p(SKILL, 2), delivery=CBT),
    _c("Online: Emergency Vehicle Operations Review", _p(SKILL, 2), delivery=CBT),
    _c("Online: Human Trafficking Indicators", _p(TECHNICAL, 1), _p(LEGAL, 1), delivery=CBT),
    _c("Online: Mental Health Awareness", _p(INTERPERSONAL, 4, de_escalation=1), delivery=CBT),
)

# Each agency in-service provider runs two of these (licensed-provider credit, 15.060).
IN_SERVICE_COURSES = (
    _c("Annual Firearms Qualification", _p(SKILL, 2, FIREARMS)),
    _c("Policy Review and Legal Update", _p(LEGAL, 2)),
    _c("Roll-Call Training: De-escalation", _p(INTERPERSONAL, 1, de_escalation=1)),
    _c("Defensive Tactics In-Service", _p(SKILL, 2)),
    _c("Vehicle Pursuit Policy", _p(LEGAL, 1), _p(TECHNICAL, 1)),
    _c("Body-Worn Camera Procedures", _p(TECHNICAL, 2)),
)

# Courses of recognized out-of-state sources, approved while the state was recognized.
OUT_OF_STATE_COURSES = (
    _c("Highway Interdiction", _p(TECHNICAL, 6), _p(LEGAL, 2)),
    _c("Advanced Roadside Impaired Driving Enforcement", _p(TECHNICAL, 12), _p(LEGAL, 4)),
    _c("Leadership in Police Organizations", _p(INTERPERSONAL, 8)),
    _c("Critical Incident Stress Management", _p(INTERPERSONAL, 8, de_escalation=2)),
    _c("Firearms Instructor Update", _p(SKILL, 8, FIREARMS)),
)

# Submitted by providers and awaiting POST's review (with their documents).
PENDING_COURSES = (
    _c(
        "Drone Operations for Public Safety",
        _p(TECHNICAL, 6),
        _p(LEGAL, 2),
        synopsis="Flight rules, privacy law and evidence handling for agency drone programs.",
    ),
    _c(
        "Responding to Veterans in Crisis",
        _p(INTERPERSONAL, 4, de_escalation=2),
        synopsis="Recognizing service-related trauma and de-escalating contacts with veterans.",
    ),
    _c(
        "Open-Source Intelligence Basics",
        _p(TECHNICAL, 4),
        delivery=CBT,
        synopsis="Lawful collection and documentation of publicly available online information.",
    ),
    _c(
        "Rural Traffic Crash Scene Safety",
        _p(SKILL, 2),
        _p(TECHNICAL, 2),
        synopsis="Scene protection and traffic control on two-lane highways at night.",
    ),
)

DENIED_COURSE = _c(
    "Motivational Leadership Seminar",
    _p(INTERPERSONAL, 8),
    synopsis="A general leadership seminar.",
)
DENIED_REASON = (
    "The agenda does not show law-enforcement content for each hour; resubmit with an hour-by-hour "
    "agenda and the instructors' records."
)

COLLEGE_CLAIMS = (
    ("CJ 210 Criminal Procedure", ((LEGAL, 4), (TECHNICAL, 2))),
    ("PSY 240 Crisis Psychology", ((INTERPERSONAL, 6),)),
    ("CJ 305 Criminal Investigation", ((TECHNICAL, 6),)),
    ("SOC 220 Race and Ethnic Relations", ((INTERPERSONAL, 6),)),
)
MILITARY_CLAIMS = (
    ("Military Police Leader Course", ((SKILL, 4), (LEGAL, 2), (INTERPERSONAL, 2))),
    ("Combat Lifesaver Certification", ((SKILL, 6), (TECHNICAL, 2))),
    ("Installation Security Forces Refresher", ((TECHNICAL, 4), (LEGAL, 4))),
)
OUT_OF_STATE_CLAIMS = (
    "Advanced Crash Reconstruction",
    "Street Crimes Conference",
    "Crisis Negotiation Basic",
    "Sex Crimes Investigation",
    "Gang Awareness for Patrol",
)

# POST's catalog of recognized out-of-state courses with a recommended split of their hours
# (in the manner of the training center's list in seed 000): (source, provider, title, split).
# Every title an out-of-state request of the demo names is here, so a reviewer sees it pre-filled.
RECOGNIZED_SOURCE_PROVIDERS = {
    "MN": "North Star Regional Counterdrug Training Center",
    "IL": "Prairie State Law Enforcement Training Board",
    "TX": "Gulf Coast Regional Police Academy",
    "KY": "Bluegrass Criminal Justice Training Institute",
    "IADLEST": "IADLEST National Certification Program",
}
RECOGNIZED_COURSES = (
    ("MN", "Advanced Crash Reconstruction", ((TECHNICAL, 6), (SKILL, 2))),
    ("MN", "Street Crimes Conference", ((TECHNICAL, 4), (LEGAL, 2), (INTERPERSONAL, 2))),
    ("MN", "Crisis Negotiation Basic", ((INTERPERSONAL, 6), (LEGAL, 2))),
    ("MN", "Interview and Interrogation Techniques", ((TECHNICAL, 4), (LEGAL, 4))),
    ("MN", "Clandestine Laboratory Safety", ((TECHNICAL, 6), (SKILL, 2))),
    ("IL", "Sex Crimes Investigation", ((TECHNICAL, 6), (LEGAL, 2))),
    ("IL", "Gang Awareness for Patrol", ((TECHNICAL, 4), (INTERPERSONAL, 4))),
    ("IL", "Search and Seizure Update", ((LEGAL, 8),)),
    ("TX", "Highway Interdiction Refresher", ((TECHNICAL, 6), (LEGAL, 2))),
    ("TX", "Active Shooter Response", ((SKILL, 6), (TECHNICAL, 2))),
    ("KY", "Domestic Violence Investigations", ((INTERPERSONAL, 4), (LEGAL, 2), (TECHNICAL, 2))),
    ("KY", "Financial Crimes Investigation", ((TECHNICAL, 8),)),
    ("IADLEST", "Procedural Justice for Patrol", ((INTERPERSONAL, 4),)),
    ("IADLEST", "Report Writing Essentials", ((TECHNICAL, 4),)),
)
