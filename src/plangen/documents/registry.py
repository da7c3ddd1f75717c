"""The one place document kinds are registered. A kind is a module with NAME, TEMPLATE, OUTPUT,
DESCRIPTION, build_context(plan, report) and title(plan[, report])."""

from __future__ import annotations

from plangen.documents import plan

KINDS = {module.NAME: module for module in (plan,)}
# Kinds rendered once per report file in plan/reports/ (the report's `kind` picks the module).
REPORT_KINDS: dict = {}
