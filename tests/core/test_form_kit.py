"""The form kit (clee/core/forms.py): classes, accessible errors, refusals."""

from __future__ import annotations

from django import forms

from clee.core.errors import ServiceError
from clee.core.forms import PortalForm, hours_field


class Sample(PortalForm):
    title = forms.CharField(label="Title")
    area = forms.ChoiceField(label="Core area", choices=[("", "-"), ("legal", "Legal")])
    hours = hours_field("Hours", help_text="Such as 2 or 1.5.")
    zero_ok = hours_field("Firearms", allow_zero=True)


def test_a_required_message_names_the_field() -> None:
    form = Sample({})
    assert not form.is_valid()
    assert form.errors["title"] == ["Title is required."]
    assert form.errors["area"] == ["Choose the core area."]


def test_a_refused_control_is_marked_and_described_by_the_ids_the_template_renders() -> None:
    form = Sample({"title": "x", "area": "legal", "hours": "abc"})
    assert not form.is_valid()
    control = str(form["hours"])
    assert 'aria-invalid="true"' in control
    assert 'aria-describedby="id_hours_helptext id_hours_error"' in control
    assert "usa-input--error" in control
    assert "aria-invalid" not in str(form["title"])


def test_one_set_of_hours_messages() -> None:
    form = Sample({"title": "x", "area": "legal", "hours": "0", "zero_ok": "1.555"})
    assert not form.is_valid()
    assert form.errors["hours"] == ["Hours must be more than 0."]
    assert form.errors["zero_ok"] == ["Give hours to the hundredth at most, such as 1.25."]
    assert Sample({"title": "x", "area": "legal", "zero_ok": "0"}).is_valid()


def test_a_refusal_is_shown_as_a_sentence_next_to_the_field_it_names() -> None:
    form = Sample({"title": "x", "area": "legal"})
    assert form.is_valid()
    form.refuse(
        ServiceError("your agency already has a course numbered 7", field="name"), aliases={"name": "title"}
    )
    assert form.errors["title"] == ["Your agency already has a course numbered 7."]
    assert "usa-input--error" in str(form["title"])
    form.refuse(ServiceError("roster.csv: the file is empty"))
    assert form.non_field_errors() == ["roster.csv: the file is empty."]
