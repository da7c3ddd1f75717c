"""Where plan files live, and turning loaded files into the typed Plan.

Layout of a plan directory:
  plan.yaml                  the plan (required)
  people.yaml                the people register (required)
  priorities/NN-slug.yaml    one file per priority
  indicators.yaml            performance indicators (optional)
  workforce/YYYY-MM.yaml     workforce dashboards (optional)
  reports/NAME.yaml          committee papers (optional)
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from plangen import model
from plangen.dates import DateError, Due, PlanDate
from plangen.errors import UsageError
from plangen.findings import Finding
from plangen.yamlio import SourceFile, display_path, load

TOP_LEVEL = {"plan.yaml": "plan", "people.yaml": "people", "indicators.yaml": "indicators"}
FOLDERS = {"priorities": "priority", "workforce": "workforce", "reports": "report"}
PRIORITY_FILE = re.compile(r"^[0-9]{2,}-[a-z0-9]+(-[a-z0-9]+)*\.yaml$")


def find_plan_dir(path: Path | None) -> Path:
    """The plan directory: the argument, or ./plan, or the current directory if it holds plan.yaml."""
    if path is None:
        for candidate in (Path("plan"), Path(".")):
            if (candidate / "plan.yaml").is_file():
                return candidate
        raise UsageError("no plan found here", hint="run in a plan repository (with plan/plan.yaml) or name the plan directory")
    if not path.exists():
        raise UsageError(f"no such directory: {path}")
    if not path.is_dir():
        raise UsageError(f"not a directory: {path}", hint="name the directory that holds plan.yaml")
    if not (path / "plan.yaml").is_file():
        nested = path / "plan" / "plan.yaml"
        if nested.is_file():
            return path / "plan"
        raise UsageError(f"{path} has no plan.yaml", hint="name the directory that holds plan.yaml and people.yaml")
    return path


def source_folders(plan_root: Path) -> list[Path]:
    """Where a plan's sources live: the plan, the repository's schemas and templates, and plangen's own."""
    from importlib.resources import files

    package = Path(str(files("plangen")))
    repository = plan_root.resolve().parent
    return [plan_root.resolve(), repository / "schema", repository / "templates",
            package / "schema", package / "templates", package / "scaffold"]


def refuse_to_overwrite_sources(output: Path, plan_root: Path) -> None:
    """An output is never written into the plan, its schemas or templates: `-o plan/people.yaml`
    would replace the plan's register with a Word file."""
    target = output.resolve()
    for folder in source_folders(plan_root):
        if target == folder or folder in target.parents:
            raise UsageError(f"refusing to write {output}: it is inside {display_path(folder)}, which holds "
                             "plan, schema or template files", hint="write papers elsewhere, e.g. -o build/NAME.docx")
    if target.suffix.lower() in (".yaml", ".yml", ".json") and target.exists():
        raise UsageError(f"refusing to write {output}: it is a {target.suffix} file, not a paper",
                         hint="write papers elsewhere, e.g. -o build/NAME.docx")


def _walk(root: Path):
    """(path, problem) for every file under root, hidden ones left out. A symbolic link is followed
    only when it leads to somewhere inside the plan directory: a link committed to the repository
    must not make plangen read, and print into a paper, a file from elsewhere on the machine."""
    inside = root.resolve()
    seen_directories = {inside}
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            entries = sorted(directory.iterdir())
        except OSError as error:
            yield directory, f"cannot list the folder: {error.strerror or error}"
            continue
        for path in entries:
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                target = path.resolve()
                if not path.exists():
                    yield path, f"is a symbolic link to {os.readlink(path)}, which does not exist"
                    continue
                if target != inside and inside not in target.parents:
                    yield path, f"is a symbolic link to {target}, outside the plan directory; plangen reads only files inside it"
                    continue
            if path.is_dir():
                resolved = path.resolve()
                if resolved not in seen_directories:
                    seen_directories.add(resolved)
                    pending.append(path)
            else:
                yield path, None


def discover(root: Path) -> tuple[list[tuple[Path, str]], list[Finding]]:
    """Every YAML file of the plan with its kind, and findings for files in the wrong place."""
    files: list[tuple[Path, str]] = []
    findings: list[Finding] = []
    for path, problem in sorted(_walk(root)):
        relative = path.relative_to(root)
        if problem:
            findings.append(Finding(display_path(path), 1, 1, "error", "unreadable", f"'{relative}' {problem}",
                                    "replace the link by the file itself, inside the plan directory"
                                    if "link" in problem else None))
            continue
        if path.suffix.lower() not in (".yaml", ".yml"):
            continue
        parts = relative.parts
        if len(parts) == 1 and parts[0] in TOP_LEVEL:
            files.append((path, TOP_LEVEL[parts[0]]))
        elif len(parts) == 2 and parts[0] in FOLDERS:
            kind = FOLDERS[parts[0]]
            if path.suffix != ".yaml":
                findings.append(Finding(display_path(path), 1, 1, "error", "file-name",
                                        f"'{parts[1]}' ends in '{path.suffix}'; plan files end in '.yaml'",
                                        f"rename it to {path.stem}.yaml"))
            elif kind == "priority" and not PRIORITY_FILE.match(parts[1]):
                findings.append(Finding(display_path(path), 1, 1, "error", "file-name",
                                        f"priority file name '{parts[1]}' does not follow the pattern NN-slug.yaml",
                                        "name it like 03-looked-after-children.yaml (two digits, a dash, lower-case words)"))
            files.append((path, kind))
        else:
            findings.append(Finding(display_path(path), 1, 1, "error", "file-location",
                                    f"'{relative}' is not where plangen looks for plan files",
                                    "priorities go in priorities/NN-slug.yaml, reports in reports/, dashboards in "
                                    "workforce/; plan.yaml, people.yaml and indicators.yaml sit at the top"))
    return files, findings


def text(value) -> str:
    """Identifiers and titles as text even when a file has a type error (already reported by the schema)."""
    return "" if value is None else str(value)


def identifier(value, source: SourceFile, path: tuple) -> str:
    """An identifier as the author typed it. An unquoted 2.10 is already reported (YAML reads the number
    2.1); taking it as "2.10" keeps that one mistake from also looking like a duplicate of action 2.1."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and source.tree is not None:
        _, node = source.node_at(path)
        if node is not None and isinstance(getattr(node, "value", None), str):
            return node.value
    return text(value)


def fields(value) -> dict:
    """A mapping's fields, or none when the file has something else there (the schema reports it)."""
    return value if isinstance(value, dict) else {}


def items(value) -> list:
    """A list's items, or none when the file has something else there (the schema reports it)."""
    return value if isinstance(value, list) else []


def outcome(item) -> model.Outcome:
    """An outcome written as a plain string, or as {text, outcomes}."""
    if isinstance(item, dict):
        return model.Outcome(text(item.get("text")), [text(sub) for sub in items(item.get("outcomes"))])
    return model.Outcome(text(item))


class Builder:
    """Plain data -> model objects. Bad dates become findings, never exceptions."""

    def __init__(self, already_reported: set | None = None):
        self.findings: list[Finding] = []
        # (file, path) pairs the schema already reported, so one mistake gives one message
        self.already_reported = already_reported or set()

    def report(self, source: SourceFile, path: tuple, message: str):
        if (source.path, path) not in self.already_reported:
            self.findings.append(source.finding(path, "error", "bad-date", message))

    def due(self, value, source: SourceFile, path: tuple) -> Due:
        try:
            return Due.parse(value)
        except DateError as error:
            self.report(source, path, str(error))
            return Due()

    def date(self, value, source: SourceFile, path: tuple) -> PlanDate | None:
        if value is None:
            return None
        try:
            return PlanDate.parse(value)
        except DateError as error:
            self.report(source, path, str(error))
            return None

    @staticmethod
    def leads(value) -> tuple[str, ...]:
        if value is None:
            return ()
        return tuple(str(item) for item in value) if isinstance(value, list) else (str(value),)

    @staticmethod
    def refs(data) -> model.Refs:
        data = data if isinstance(data, dict) else {}
        return model.Refs(tuple(text(number) for number in data.get("recommendations") or ()),
                          tuple(text(number) for number in data.get("paragraphs") or ()),
                          bool(data.get("summary")), text(data.get("as_printed")))

    def issues(self, data: dict) -> list[model.Issue]:
        """An action's issue column: `issues: [{text, refs}]` when it has several issues, each with
        its own references, or the one `issue` with `refs`."""
        if data.get("issues"):
            return [model.Issue(text(item.get("text")), self.refs(item.get("refs")), ("issues", index, "refs"))
                    for index, item in enumerate(data["issues"]) if isinstance(item, dict)]
        if data.get("issue") or data.get("refs"):
            return [model.Issue(text(data.get("issue")), self.refs(data.get("refs")), ("refs",))]
        return []

    def action(self, data: dict, source: SourceFile, path: tuple, priority: str, group: str | None) -> model.Action:
        steps = []
        for index, step in enumerate(items(data.get("steps"))):
            step_path = path + ("steps", index)
            step = fields(step)
            steps.append(model.Step(
                letter=chr(ord("a") + index) if index < 26 else str(index + 1),
                text=step.get("text", ""),
                lead=self.leads(step.get("lead")),
                due=self.due(step.get("due"), source, step_path + ("due",)),
                where=model.Where(source, step_path),
            ))
        progress = []
        for index, entry in enumerate(items(data.get("progress"))):
            entry_path = path + ("progress", index)
            entry = fields(entry)
            progress.append(model.Progress(
                date=self.date(entry.get("date"), source, entry_path + ("date",)),
                status=entry.get("status", ""),
                note=entry.get("note", ""),
                next_steps=entry.get("next_steps", ""),
                source_ref=entry.get("source", ""),
                where=model.Where(source, entry_path),
            ))
        return model.Action(
            number=identifier(data.get("number"), source, path + ("number",)),
            text=data.get("text", ""),
            issues=self.issues(data),
            steps=steps,
            after_steps=data.get("after_steps", ""),
            lead=self.leads(data.get("lead")),
            partners=data.get("partners"),
            due=self.due(data.get("due"), source, path + ("due",)),
            status=data.get("status"),
            placeholder=bool(data.get("placeholder")),
            measures=list(data.get("measures") or []),
            progress=progress,
            group=group,
            priority=priority,
            where=model.Where(source, path),
        )

    def priority(self, source: SourceFile) -> model.Priority:
        data = source.data
        number = identifier(data.get("number"), source, ("number",))
        groups = []
        for group_index, group in enumerate(items(data.get("groups"))):
            group = fields(group)
            actions = [
                self.action(fields(action), source, ("groups", group_index, "actions", action_index), number, group.get("title"))
                for action_index, action in enumerate(items(group.get("actions")))
            ]
            groups.append(model.Group(group.get("title"), group.get("note", ""), actions))
        return model.Priority(
            number=number,
            title=data.get("title", ""),
            groups=groups,
            printed_number=data.get("printed_number"),
            labels={key: text(value) for key, value in fields(data.get("labels")).items()},
            work_stream=data.get("work_stream"),
            sro=data.get("sro"),
            sro_as_printed=data.get("sro_as_printed"),
            titles_as_printed=list(data.get("titles_as_printed") or []),
            recommendations=list(data.get("recommendations") or []),
            recommendations_as_printed=data.get("recommendations_as_printed"),
            introduction=data.get("introduction", ""),
            issues=list(data.get("issues") or []),
            objectives=list(data.get("objectives") or []),
            outcomes=[outcome(item) for item in items(data.get("outcomes"))],
            measured_by=list(data.get("measured_by") or []),
            what_good_looks_like=list(data.get("what_good_looks_like") or []),
            voices=[model.Voice(text(fields(item).get("who")), list(items(fields(item).get("statements")))) for item in items(data.get("voices"))],
            where=model.Where(source, ()),
        )

    def indicators(self, source: SourceFile) -> list[model.Indicator]:
        found = []
        for group_index, group in enumerate(source.data.get("groups") or []):
            for index, item in enumerate(group.get("indicators") or []):
                found.append(model.Indicator(
                    code=item.get("code", ""), title=item.get("title", ""), group=group.get("name", ""),
                    printed_code=item.get("printed_code"), polarity=item.get("polarity"), unit=item.get("unit"),
                    values=dict(item.get("values") or {}), target=item.get("target"), owner=item.get("owner"),
                    rag=item.get("rag"), summary_rag=item.get("summary_rag"), methodology=item.get("methodology"),
                    thresholds=[model.Band(band.get("rag"), band.get("min"), band.get("max")) for band in item.get("thresholds") or []],
                    where=model.Where(source, ("groups", group_index, "indicators", index)),
                ))
        return found

    def plan(self, root: Path, sources: list[SourceFile]) -> model.Plan:
        def role_spans(roles):
            from plangen.dates import PlanDate

            for entry in roles or []:
                if not isinstance(entry, dict) or not entry.get("role"):
                    continue
                try:
                    start = PlanDate.parse(entry["from"]).first_day if entry.get("from") else None
                    end = PlanDate.parse(entry["until"]).last_day if entry.get("until") else None
                except (ValueError, TypeError):
                    continue  # the schema reports a malformed date at its line
                yield entry["role"], start, end

        by_kind: dict[str, list[SourceFile]] = {}
        for source in sources:
            if source.data is not None:
                by_kind.setdefault(source.kind, []).append(source)
        meta = by_kind["plan"][0].data if by_kind.get("plan") else {}
        people_data = by_kind["people"][0] if by_kind.get("people") else None
        people = []
        if people_data:
            for index, person in enumerate(people_data.data.get("people") or []):
                people.append(model.Person(
                    id=person.get("id"), name=person.get("name", ""), role=person.get("role", ""),
                    kind=person.get("kind", "person"), lead_officer=person.get("lead_officer", True),
                    email=person.get("email", ""), phone=person.get("phone", ""),
                    where=model.Where(people_data, ("people", index)),
                    title=person.get("title", ""), roles=tuple(role_spans(person.get("roles"))),
                ))
        scale = (meta.get("status_scale") or {}).get("statuses") or []
        statuses = [model.Status(item.get("id", ""), item.get("label", ""), item.get("colour", "FFFFFF"),
                                 item.get("meaning", ""), bool(item.get("complete")), int(item.get("rank", index)),
                                 bool(item.get("past_due")))
                    for index, item in enumerate(scale)]
        inspection = meta.get("inspection") or {}
        indicator_source = by_kind["indicators"][0] if by_kind.get("indicators") else None
        return model.Plan(
            root=root,
            meta=meta,
            council=meta.get("council", ""),
            title=meta.get("title", ""),
            status=meta.get("status", "draft"),
            labels={**model.DEFAULT_LABELS, **(meta.get("labels") or {})},
            statuses=statuses,
            work_streams=[model.WorkStream(item.get("id", ""), item.get("name", ""), item.get("colour"), item.get("sro"),
                                           item.get("colour_name"))
                          for item in meta.get("work_streams") or []],
            recommendations=[model.Recommendation(item.get("number", ""), item.get("text", ""), item.get("to", ""))
                             for item in inspection.get("recommendations") or []],
            people=people,
            priorities=[self.priority(source) for source in by_kind.get("priority", [])],
            indicators=indicator_source.data if indicator_source else None,
            indicator_list=self.indicators(indicator_source) if indicator_source else [],
            workforce=[source.data for source in by_kind.get("workforce", [])],
            reports=by_kind.get("report", []),
            files=sources,
            layout=model.Layout.from_data(meta.get("layout")),
        )


def load_sources(root: Path) -> tuple[list[SourceFile], list[Finding]]:
    paths, findings = discover(root)
    sources = [load(path, kind) for path, kind in paths]
    for source in sources:
        findings.extend(source.findings)
    present = {kind for _, kind in paths}
    for required in ("plan", "people"):
        if required not in present:
            findings.append(Finding(display_path(root / f"{required}.yaml"), 1, 1, "error", "missing-file",
                                    f"{required}.yaml is missing", "run 'plangen init' to see the expected layout"))
    return sources, findings
