"""A consistency warning of the draft (domain.report_checks) as the sentence people read."""

from __future__ import annotations

from decimal import Decimal

from domain.numbers import format_number
from domain.report_checks import ReportWarning, WarningKind
from templates.catalog import text


def warning_text(warning: ReportWarning) -> str:
    """The sentence saying what does not add up."""

    def n(value: Decimal) -> str:
        return format_number(value)

    if warning.kind is WarningKind.RATIO:
        (_, part), (_, whole) = warning.terms
        return text(
            "report.warning.ratio",
            part=n(part),
            whole=n(whole),
            computed=format_number(warning.expected, warning.places) + "%",
            stated=format_number(warning.actual, warning.places) + "%",
            label=warning.label,
        )
    if warning.kind is WarningKind.PARTS_OVER:
        return text(
            "report.warning.parts_over",
            label=warning.label,
            actual=n(warning.actual),
            labels=[label for label, _ in warning.terms],
            known=n(warning.expected),
        )
    if warning.kind is WarningKind.BOUND:
        ((bound_label, bound),) = warning.terms
        return text(
            "report.warning.bound",
            label=warning.label,
            actual=n(warning.actual),
            bound_label=bound_label,
            bound=n(bound),
        )
    if warning.kind is WarningKind.KEPT:
        return text(
            "report.warning.kept",
            label=warning.label,
            actual=n(warning.actual),
            previous=n(warning.expected) if warning.expected else "",
        )
    if warning.kind is WarningKind.STOCK_BELOW_FLOW:
        ((flow_label, flow),) = warning.terms
        return text(
            "report.warning.stock_below_flow",
            label=warning.label,
            actual=n(warning.actual),
            flow_label=flow_label,
            flow=n(flow),
        )
    if warning.kind is WarningKind.STOCK:
        (_, before), (flow_label, flow) = warning.terms
        return text(
            "report.warning.stock",
            label=warning.label,
            previous=n(before),
            flow_label=flow_label,
            flow=n(flow),
            expected=n(warning.expected),
            actual=n(warning.actual),
        )
    return text(
        "report.warning.parts",
        terms=" + ".join(n(value) for _, value in warning.terms),
        labels=", ".join(label for label, _ in warning.terms),
        expected=n(warning.expected),
        label=warning.label,
        actual=n(warning.actual),
    )
