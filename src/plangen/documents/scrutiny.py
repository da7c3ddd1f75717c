"""The Scrutiny & Overview update on the improvement plan (report kind `scrutiny-update`).

Generated tables, placed by `[generated: NAME]` in the narrative or a section's `generated:` list:
  work-stream-status     work stream, SRO, progress status (roll-up of actions; the report's
                         officer judgement where set, with both shown when they disagree)
  status-counts          actions by status per priority
  due-next               actions and steps due from the as-of date up to next_period_end (default +1 month)
  past-due               actions and steps past their date, the action not complete at the as-of date
  changes                what changed in the plan since the report's `compare_with` git revision
  status-chart           the status counts as a bar chart (alt text, then the counts as a table)
  indicator-performance  areas of strength and of underperformance computed from the indicators
  indicator-charts       a trend chart per indicator with two or more monthly values (alt text,
                         then its values as a table)
Appendices (content: indicators, workforce): the indicators as published and the workforce dashboard.
"""

from __future__ import annotations

import datetime

from plangen import indicators as indicator_maths
from plangen import text as narrative
from plangen import progress
from plangen.dates import PlanDate
from plangen.documents import report as cover
from plangen.documents.common import TableSpec
from plangen.model import Plan
from plangen.text import shorten
from plangen.yamlio import SourceFile

NAME = "scrutiny-update"
TEMPLATE = "report.docx"
DESCRIPTION = "Scrutiny & Overview update on the improvement plan"


def title(plan: Plan, report: SourceFile) -> str:
    return cover.document_title(report)


def _table(spec: TableSpec) -> list[dict]:
    return [{"kind": "table", "number": "", "table": spec}]


def _note(text: str) -> list[dict]:
    from docxtpl import RichText

    return [{"kind": "paragraph", "number": "", "text": RichText(text, italic=True)}]


def work_stream_status(plan: Plan, report: SourceFile) -> list[dict]:
    overrides = report.data.get("work_stream_status") or {}
    statuses = plan.status_by_id
    as_of = cover.as_of(report)
    rows, fills = [], []
    for stream in plan.work_streams:
        computed = progress.roll_up(plan, progress.work_stream_actions(plan, stream.id), as_of)
        judged = statuses.get(overrides.get(stream.id, ""))
        shown = judged or computed
        text = shown.label if shown else progress.NOT_RATED
        if judged and computed and judged.id != computed.id:
            text = f"{judged.label} (officers' judgement; the actions roll up to {computed.label})"
        elif judged and not computed:
            text = f"{judged.label} (officers' judgement; no action rated yet)"
        elif computed:
            text = progress.roll_up_label(plan, progress.work_stream_actions(plan, stream.id), as_of)
        person = plan.person(stream.sro) if stream.sro else None
        rows.append([stream.name, person.name if person else (stream.sro or ""), text])
        fills.append([None, None, shown.colour if shown else None])
    return _table(TableSpec(["Work stream", "SRO", "Progress RAG"], rows, fills, [5.0, 4.5, 7.9]))


def status_counts(plan: Plan, report: SourceFile) -> list[dict]:
    as_of = cover.as_of(report)
    headers = [plan.labels["priority"]] + [status.label for status in plan.statuses] + [progress.NOT_RATED, "Total"]
    rows = []
    totals = [0] * (len(plan.statuses) + 2)
    for entry in progress.status_counts(plan, as_of):
        values = [entry["counts"][status.id] for status in plan.statuses] + [entry["not_rated"], entry["total"]]
        totals = [total + value for total, value in zip(totals, values)]
        rows.append([f"{entry['priority'].number}. {entry['priority'].title}"] + [str(value) for value in values])
    rows.append(["Total"] + [str(value) for value in totals])
    first = 6.0  # the priority's title; the counts share the rest, wide enough for "Complete" on one line
    table = _table(TableSpec(headers, rows, None, [first] + [(17.4 - first) / (len(headers) - 1)] * (len(headers) - 1)))
    return table + _note(progress.counts_note(plan, as_of))


def milestone_list(plan: Plan, milestones: list[progress.Milestone], as_of: datetime.date) -> TableSpec:
    """One row per dated action or step: '6.1a | Interim arrangements (in 6.1: Reduce the span…) | JN | Oct 17 | …'."""
    rows = []
    for milestone in milestones:
        standing = progress.standing(plan, milestone.action, as_of)
        rows.append([milestone.label, progress.describe(milestone), " / ".join(milestone.leads),
                     milestone.due.display(), standing.label])
    return TableSpec(["No.", "Action", "Lead", "Due", "Status"], rows, None, [1.3, 8.2, 1.9, 1.8, 4.2])


def status_chart(plan: Plan, report: SourceFile) -> list[dict]:
    """The status counts as a bar chart per priority, with the same counts as a table after it."""
    from plangen import charts, markdown_word

    day = cover.as_of(report)
    entries = progress.status_counts(plan, day)
    categories = [shorten(f"{entry['priority'].number}. {entry['priority'].title}", 45) for entry in entries]
    series = [(status.label, status.colour, [entry["counts"][status.id] for entry in entries]) for status in plan.statuses]
    series.append((progress.NOT_RATED, "BFBFBF", [entry["not_rated"] for entry in entries]))
    totals = {label: sum(counts) for label, _, counts in series}
    summary = ", ".join(f"{count} {label.lower()}" for label, count in totals.items())
    alt = (f"Bar chart of the plan's actions by status for each {plan.labels['priority'].lower()} at {_long(day)}: "
           f"{sum(totals.values())} actions in all, {summary}. The table after the chart gives the counts.")
    image = charts.stacked_counts(categories, series, f"Actions by status at {_long(day)}")
    figure = {"kind": "xml", "number": "", "xml": markdown_word.figure(image, alt, f"Actions by status at {_long(day)}", 16.0)}
    return [figure] + status_counts(plan, report)


def indicator_charts(plan: Plan) -> list[dict]:
    """A trend chart for every indicator with at least two monthly values: the values against the
    target over the RAG bands, alt text naming the indicator, its latest value and its target, and
    the values in a table after it."""
    from plangen import charts, markdown_word

    data = plan.indicators or {}
    months = data.get("months") or []
    labels = [PlanDate.parse(month).short() for month in months]
    items = []
    for indicator in plan.indicator_list:
        values = [_number(indicator.values.get(month)) for month in months]
        if sum(value is not None for value in values) < 2:
            continue
        unit = "%" if indicator.unit == "percent" else ""
        target = _number(indicator.target)
        month, latest = indicator_maths.latest_value(indicator, months)
        rag = indicator_maths.rag_for(indicator, latest)
        name = f"{indicator.code} {indicator.title}"
        alt = (f"Line chart of {name}, {labels[0]} to {labels[-1]}: latest value {latest:g}{unit} in "
               f"{PlanDate.parse(month).long()}, target "
               + (f"{target:g}{unit}" if target is not None else f"{indicator.target or 'not set'}")
               + (f", RAG {rag_label(rag)}" if rag else "") + ". The table after the chart gives the values.")
        bands = [(band.rag, band.min, band.max) for band in indicator.thresholds]
        image = charts.trend(labels, values, target, bands, name, unit)
        items.append({"kind": "xml", "number": "", "xml": markdown_word.figure(image, alt, name, 15.0)})
        rows = [["Value"] + [_value(indicator.values.get(m), indicator.unit) or "–" for m in months]
                + [_value(indicator.target, indicator.unit)]]
        rows.append(["RAG"] + [rag_label(indicator_maths.rag_for(indicator, value)) or "–" for value in values] + [""])
        width = (17.0 - 1.6) / (len(months) + 1)
        items += _table(TableSpec([""] + labels + ["Target"], rows, None, [1.6] + [width] * (len(months) + 1),
                                  bold_first_column=True))
    return items or _note("No indicator has two or more monthly values to chart.")


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def due_next(plan: Plan, report: SourceFile) -> list[dict]:
    start = cover.as_of(report)
    end = _next_period_end(report, start)
    milestones = progress.due_between(plan, start, end)
    heading = _note(f"Actions and steps due from {_long(start)} to {_long(end)}, not complete: "
                    f"{progress.count_phrase(milestones)}.")
    return heading + (_table(milestone_list(plan, milestones, start)) if milestones else [])


def past_due(plan: Plan, report: SourceFile) -> list[dict]:
    day = cover.as_of(report)
    milestones = progress.past_due(plan, day)
    heading = _note(f"Actions and steps past their date and not complete at {_long(day)}: "
                    f"{progress.count_phrase(milestones)}.")
    return heading + (_table(milestone_list(plan, milestones, day)) if milestones else [])


def _long(day: datetime.date) -> str:
    return PlanDate(day.year, day.month, day.day).long()


def _next_period_end(report: SourceFile, start: datetime.date) -> datetime.date:
    value = report.data.get("next_period_end")
    if value:
        return PlanDate.parse(value).last_day
    return progress.add_months(start, 1)


def rag_label(rag: str | None) -> str:
    return (rag or "").capitalize()


def indicator_performance(plan: Plan) -> list[dict]:
    """The indicators by how they stand at their latest value: green is a strength; red, or worse
    than last month, is underperformance; an indicator improving but not yet green is 'improving';
    the rest (amber and steady, or with no thresholds) are listed too, so none is silently left out."""
    from docxtpl import RichText

    months = (plan.indicators or {}).get("months") or []
    groups: dict[str, list[str]] = {"strength": [], "improving": [], "concern": [], "other": []}
    for indicator in plan.indicator_list:
        month, value = indicator_maths.latest_value(indicator, months)
        if value is None:
            continue
        rag = indicator_maths.rag_for(indicator, value)
        delta = indicator_maths.change(indicator, months)
        better = indicator_maths.improving(indicator, delta)
        unit = "%" if indicator.unit == "percent" else ""
        movement = ""
        if delta is not None and delta != 0:
            amount = abs(round(delta, 1))
            measure = (" point" if amount == 1 else " points") if unit else ""
            movement = f", {'up' if delta > 0 else 'down'} {amount:g}{measure} on the month"
        line = f"{indicator.code} {indicator.title}: {value:g}{unit}{movement}" + (f" (RAG {rag_label(rag)})" if rag else "")
        if rag == "red" or better is False:
            groups["concern"].append(line)
        elif rag == "green":
            groups["strength"].append(line)
        elif better:
            groups["improving"].append(line)
        else:
            groups["other"].append(line)
    headings = [("strength", "Areas of strength", True), ("improving", "Improving, not yet on target", False),
                ("concern", "Areas of underperformance", True), ("other", "Holding steady, not on target", False)]
    items = []
    for key, heading, always in headings:
        if not groups[key] and not always:
            continue
        items.append({"kind": "minor_heading", "number": "", "text": RichText(heading)})
        items += [{"kind": "bullet", "number": "", "text": RichText(line)} for line in groups[key]] or _note("None this month.")
    return items


def changes_since(plan: Plan, report: SourceFile) -> list[dict]:
    revision = report.data.get("compare_with")
    if not revision:
        return _note("No earlier version of the plan was named to compare with.")
    from plangen import diff, gitplan

    old = gitplan.plan_at(revision, plan.root)
    changes = diff.compare(old, plan)
    rows = [[change["what"], change["detail"]] for change in diff.summary_rows(changes)]
    note = _note(f"Changes to the plan since {revision}: {len(rows)}.")
    return note + (_table(TableSpec(["Change", "Detail"], rows, None, [4.5, 12.9])) if rows else [])


def printed_rag(indicator, months: list[str], as_published: bool) -> tuple[str, str | None]:
    """The RAG column's word and its colour band. Words are the scale's (Red, Amber, Green): the
    source's 'Yellow' prints as Amber, and a word that is no RAG at all ('RAG', 'Grey') gives way to
    the band the latest value earns under the thresholds, or 'Not rated'. `print_rag_as_published`
    in indicators.yaml keeps the words as the source printed them."""
    word = indicator.rag or ""
    band = indicator_maths.PRINTED_RAG.get(word.lower())
    if as_published:
        return word, band
    if band is None:
        _, value = indicator_maths.latest_value(indicator, months)
        band = indicator_maths.rag_for(indicator, value)
    return (rag_label(band) if band else "Not rated"), band


def thresholds_text(indicator) -> str:
    """The RAG methodology as published, else written out from the thresholds."""
    if indicator.methodology:
        return indicator.methodology
    parts = []
    for band in indicator.thresholds:
        if band.min is not None and band.max is not None:
            parts.append(f"{band.min:g} to {band.max:g} {rag_label(band.rag)}")
        elif band.max is not None:
            parts.append(f"{band.max:g} or below {rag_label(band.rag)}")
        elif band.min is not None:
            parts.append(f"{band.min:g} or above {rag_label(band.rag)}")
    return "; ".join(parts) or "No thresholds set"


def _markdown_items(text: str | None) -> list[dict]:
    return [{"kind": "bullet" if block["kind"].startswith("bullet") else "paragraph", "number": "",
             "text": block["inline"].rich()}
            for block in narrative.parse(text or "", references=True) if "inline" in block]


def _label(text: str) -> dict:
    from docxtpl import RichText

    return {"kind": "minor_heading", "number": "", "text": RichText(text)}


def indicator_appendix(plan: Plan, heading: dict, width_cm: float) -> list[dict]:
    """Appendix 2 as the source prints it: the Director's summary by area, the action log, then each
    area's table of monthly values with its RAG thresholds, improvement activity and next steps.
    Tables are sized for a text width of `width_cm` (landscape pages, unless the report says not)."""
    from docxtpl import RichText

    data = plan.indicators or {}
    months = data.get("months") or []
    as_published = bool(data.get("print_rag_as_published"))
    month_labels = [PlanDate.parse(month).short().replace(" ", "-") for month in months]
    title = data.get("title") or "Priority performance indicators"
    if data.get("period"):
        title += f", {PlanDate.parse(data['period']).long()}"
    items = [heading, {"kind": "subheading", "number": "", "text": RichText(title)}]
    for part in data.get("narrative") or []:
        items.append(_label(part["heading"]))
        items += _markdown_items(part["text"])
    log = data.get("action_log") or []
    if log:
        items.append({"kind": "subheading", "number": "", "text": RichText("Priority indicators action log")})
        completed = {"yes": "Y", "no": "N", "ongoing": "Ongoing"}
        rows = [[entry["ref"], " ".join(str(entry["action"]).split()), _when(entry.get("when")),
                 completed.get(str(entry.get("complete") or "").lower(), "")] for entry in log]
        items += _table(TableSpec(["Ref", "Action", "When", "Complete"], rows, None,
                                  [1.8, width_cm - 6.0, 2.2, 2.0]))
    # one table per group of indicators.yaml, as the source prints them (an area may have several)
    groups, position = [], 0
    for group in data.get("groups") or []:
        count = len(group.get("indicators") or [])
        groups.append((group, plan.indicator_list[position:position + count]))
        position += count
    polarity = {"smaller-is-better": "SIB", "bigger-is-better": "BIB"}
    headers = ["Code", "Indicator", "Polarity"] + month_labels + [data.get("target_label") or "Target", "Owner", "RAG"]
    previous = None
    for extra, members in groups:
        if extra.get("name") != previous:
            items.append({"kind": "subheading", "number": "", "text": RichText(extra.get("name") or "")})
        previous = extra.get("name")
        rows, fills = [], []
        for indicator in members:
            values = [_value(indicator.values.get(month), indicator.unit) for month in months]
            word, band = printed_rag(indicator, months, as_published)
            rows.append([indicator.printed_code or indicator.code, indicator.title, polarity.get(indicator.polarity, "")]
                        + values + [_value(indicator.target, indicator.unit), indicator.owner or "", word])
            fill = {"red": "FF0000", "amber": "FFC000", "green": "00B050"}.get(band or "")
            fills.append([None] * (len(headers) - 1) + [fill])
        items += _table(TableSpec(headers, rows, fills, fitted_widths(headers, rows, width_cm, stretch=1, unbroken=(0,))))
        items.append({"kind": "paragraph", "number": "", "text": RichText("")})  # keeps the next table apart
        items += _table(TableSpec(["Indicator", "RAG thresholds"],
                                  [[indicator.printed_code or indicator.code, thresholds_text(indicator)] for indicator in members],
                                  None, [2.4, width_cm - 2.4]))
        for key, label in (("improvement_activity", "Improvement activity"), ("next_steps", "Next steps")):
            items.append(_label(label))
            items += _markdown_items(extra.get(key)) or _note("None recorded for this area.")
    return items


def _when(value) -> str:
    if value is None or value == "":
        return ""
    try:
        return PlanDate.parse(value).short()
    except (ValueError, TypeError, AttributeError):
        return str(value)


def workforce_appendix(plan: Plan, heading: dict, width_cm: float) -> list[dict]:
    """Appendix 3: each workforce dashboard, one row per measure and one column per service area
    (the source's wide table turned so that it fits a portrait page), then its definitions."""
    from docxtpl import RichText

    items = [heading]
    if not plan.workforce:
        return items + _note("No workforce dashboard is in the plan (plan/workforce/).")
    for dashboard in plan.workforce:
        title = dashboard.get("title") or "Workforce dashboard"
        if dashboard.get("period"):
            title += f", {PlanDate.parse(dashboard['period']).long()}"
        items.append({"kind": "subheading", "number": "", "text": RichText(title)})
        areas = dashboard.get("rows") or []
        columns = dashboard.get("columns") or []
        rows = [[column["label"]] + [_value(area["values"].get(column["id"]), None) or "–" for area in areas]
                for column in columns]
        headers = ["Measure"] + [area["area"] for area in areas]
        items += _table(TableSpec(headers, rows, None, fitted_widths(headers, rows, width_cm, stretch=0),
                                  bold_first_column=True))
        for footnote in dashboard.get("footnotes") or []:
            items += _note(footnote)
        for section in dashboard.get("sections") or []:
            items.append(_label(section["heading"]))
            items += _markdown_items(section["text"])
        definitions = [[column["label"], column["definition"]] for column in columns if column.get("definition")]
        definitions += [[entry["term"], entry["definition"]] for entry in dashboard.get("definitions") or []]
        if definitions:
            items.append(_label("Definitions"))
            items += _table(TableSpec(["Indicator", "Definition"], definitions, None, [5.4, width_cm - 5.4]))
    return items


# Advance widths (in ems) of Liberation Sans / Arial, the templates' font, for sizing columns
NARROW_CHARACTERS, WIDE_CHARACTERS = set(" .,:;!|'()[]/-fijlrt"), set("%mwMW@")
CELL_PADDING_CM = 0.5  # the table style's cell margins (0.19 cm each side) and a little air


def word_width_cm(word: str, points: float = 9, bold: bool = False) -> float:
    ems = sum(0.556 if character.isdigit() else 0.3 if character in NARROW_CHARACTERS
              else 0.889 if character in WIDE_CHARACTERS else 0.722 if character.isupper() else 0.556
              for character in word)
    return ems * (1.06 if bold else 1) * points / 72 * 2.54


def longest_word_cm(text: str, bold: bool = False) -> float:
    """The width of the widest word of `text` ("Apr-17" is one: broken at its hyphen it reads badly)."""
    return max((word_width_cm(word, bold=bold) for word in str(text).split()), default=0.0)


def fitted_widths(headers: list[str], rows: list[list[str]], width_cm: float, stretch: int,
                  unbroken: tuple[int, ...] = ()) -> list[float]:
    """Column widths for a table at 9 pt on a text width of `width_cm`: every column as wide as its
    widest word (header in bold; the cells of `unbroken` columns whole), the `stretch` column takes
    what is left (at least 3 cm); if the words alone do not fit, every column shrinks in
    proportion, so the table never runs off the page."""
    widths = []
    for column, header in enumerate(headers):
        cells = [row[column] for row in rows if column < len(row)]
        if column in unbroken:
            cells = [str(cell).replace(" ", "_") for cell in cells]
        widest = max([longest_word_cm(header, bold=True)] + [longest_word_cm(cell) for cell in cells])
        widths.append(round(widest + CELL_PADDING_CM, 2))
    widths[stretch] = max(3.0, width_cm - (sum(widths) - widths[stretch]))
    total = sum(widths)
    return [width * width_cm / total for width in widths] if total > width_cm else widths


def _value(value, unit) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}%" if unit == "percent" else f"{value:g}"
    return str(value)


def build_context(plan: Plan, report: SourceFile) -> dict:
    def generated(name: str) -> list[dict]:
        makers = {
            "work-stream-status": lambda: work_stream_status(plan, report),
            "status-counts": lambda: status_counts(plan, report),
            "due-next": lambda: due_next(plan, report),
            "past-due": lambda: past_due(plan, report),
            "changes": lambda: changes_since(plan, report),
            "indicator-performance": lambda: indicator_performance(plan),
            "status-chart": lambda: status_chart(plan, report),
            "indicator-charts": lambda: indicator_charts(plan),
        }
        return makers[name]() if name in makers else _note(f"({name} is not generated in this kind of report)")

    context = cover.build(plan, report, generated)
    context["heading"] = f"Agenda Item {context['agenda_item']}" if context["agenda_item"] else context["title"]
    def generated_content(content: str, heading: dict, width_cm: float) -> list[dict] | None:
        if content == "indicators":
            return indicator_appendix(plan, heading, width_cm)
        if content == "workforce":
            return workforce_appendix(plan, heading, width_cm)
        return None

    # the indicators' table has a column per month: at 9 pt it needs a landscape page
    context["appendix_items"] = cover.appendix_items(plan, report, generated, generated_content,
                                                     wide_contents=("indicators",))
    return context
