"""The one place document kinds are registered.

A kind is a module with NAME, TEMPLATE, DESCRIPTION, build_context(plan[, report]) and
title(plan[, report]); plan-wide kinds also have OUTPUT and may have postprocess(document, plan).
Report kinds are rendered once per file in plan/reports/ whose `kind` names them.
"""

from __future__ import annotations

from plangen.documents import cabinet, plan, scrutiny, tracker

KINDS = {module.NAME: module for module in (plan,)}
REPORT_KINDS = {module.NAME: module for module in (scrutiny, cabinet, tracker)}
