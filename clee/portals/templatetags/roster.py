"""The agency roster's table rows, put together in Python.

A page shows 50 rows of five cells, each cell a few conditions: as template markup that is
some 2,000 nodes and variable lookups a page, most of the page's cost. Built here with
``format_html`` (as Django's admin builds its change list rows, ``items_for_result``), every
value is escaped all the same.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from clee.portals.agency.selectors import RosterRow, Status

register = template.Library()

NONE = mark_safe('<span aria-label="none">—</span>')


UPDATING = mark_safe('<span class="usa-tag site-status--updating">Updating…</span>')


def _status_cell(row: RosterRow) -> SafeString:
    if row.updating:
        return UPDATING
    notes = []
    if row.nearly:
        notes.append(mark_safe('<span class="site-note">nearly there</span>'))
    if row.extended_until:
        notes.append(
            format_html('<span class="site-note">extended to {}</span>', date(row.extended_until, "M j, Y"))
        )
    return format_html(
        '<span class="usa-tag {}">{}</span>{}', row.status_class, row.status_label, mark_safe("".join(notes))
    )


def _counted_cell(row: RosterRow) -> SafeString:
    counted, required = row.counted_shown, row.required_shown
    if not counted:
        return NONE
    if not required:
        return format_html("{}", counted)
    return format_html('{} <span class="site-ag-of">of {}</span>', counted, required)


def _needed_cell(row: RosterRow) -> SafeString:
    needed = row.needed_shown
    if row.status == Status.DEFICIENT:
        return format_html("<strong>{}</strong>", needed)
    return format_html("{}", needed) if needed else NONE


def _lacks_cell(row: RosterRow) -> SafeString:
    if row.shortfalls:
        items = format_html_join(
            "",
            '<li>{} <span class="site-ag-of">{} h</span></li>',
            ((s.label, s.shown) for s in row.shortfalls),
        )
        return format_html('<ul class="site-ag-lacks">{}</ul>', items)
    if row.status == Status.EXEMPT:
        return format_html('<span class="site-note">{}</span>', row.exemption or "Exempt this period")
    if row.status == Status.COMPLIANT:
        return mark_safe("Nothing")
    return NONE


@register.simple_tag
def roster_row(row: RosterRow, officer_url: str, officer_query: str = "") -> SafeString:
    """One officer's ``<tr>``: name and license, status, hours counted, hours needed, and
    what the officer is still short in (``officer_query``: the period asked, for the link)."""
    return format_html(
        "<tr>\n"
        '          <th scope="row"><a href="{}{}/{}">{}</a><span class="site-note">{}</span></th>\n'
        "          <td>{}</td>\n"
        '          <td class="num">{}</td>\n'
        '          <td class="num">{}</td>\n'
        "          <td>{}</td>\n"
        "        </tr>",
        officer_url,
        row.officer_id,
        officer_query,
        row.name,
        row.license_number,
        _status_cell(row),
        NONE if row.updating else _counted_cell(row),
        NONE if row.updating else _needed_cell(row),
        NONE if row.updating else _lacks_cell(row),
    )
