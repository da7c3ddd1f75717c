"""The life of each action across git history: which commits changed it, and how its date moved.

Walking the commits that touched the plan, oldest first, each consecutive pair of plans is
compared with the diff engine; an action keeps its identity through renumbering and moves because
the engine pairs actions by content as well as by number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from plangen import diff, gitplan


@dataclass
class Event:
    commit: gitplan.Commit
    changes: list[diff.Change]


@dataclass
class ActionLife:
    numbers: list[str]  # every number the action has had, oldest first
    events: list[Event] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.numbers[-1]

    @property
    def removed(self) -> bool:
        return any(change.kind == "removed" for event in self.events for change in event.changes)

    @property
    def date_changes(self) -> list[diff.Change]:
        return [change for event in self.events for change in event.changes if change.kind == "due"]

    @property
    def months_slipped(self) -> int:
        """Net months the action's dates moved later over its life: in each commit, the largest move
        of any of its dates (its own or a step's), so two steps moved together count once."""
        total = 0
        for event in self.events:
            moves = [change.slip_months for change in event.changes if change.kind == "due" and change.slip_months]
            if moves:
                total += max(moves, key=abs)
        return total


def lives(plan_root: Path) -> list[ActionLife]:
    """Every action that ever existed in the plan's history, in order of first appearance."""
    commits = gitplan.commits_touching(plan_root)
    found: list[ActionLife] = []
    current: dict[int, ActionLife] = {}  # id(action in the previous plan) -> its life
    previous = None
    for commit in commits:
        plan = gitplan.plan_at(commit.sha, plan_root)
        following: dict[int, ActionLife] = {}
        if previous is None:
            for action in plan.actions:
                life = ActionLife([action.number], [Event(commit, [diff.Change("added", f"action {action.number}")])])
                found.append(life)
                following[id(action)] = life
        else:
            pairs, removed, added = diff.pair_actions(previous.actions, plan.actions)
            for before, after in pairs:
                life = current[id(before)]
                following[id(after)] = life
                if after.number != life.number:
                    life.numbers.append(after.number)
                changes = diff.compare_actions(before, after)
                if changes:
                    life.events.append(Event(commit, changes))
            for action in removed:
                current[id(action)].events.append(Event(commit, [diff.Change("removed", f"action {action.number}")]))
            for action in added:
                life = ActionLife([action.number], [Event(commit, [diff.Change("added", f"action {action.number}")])])
                found.append(life)
                following[id(action)] = life
        current, previous = following, plan
    return found


def life_of(plan_root: Path, number: str) -> ActionLife | None:
    """The action now numbered `number`, or failing that the one that last held that number."""
    candidates = [life for life in lives(plan_root) if number in life.numbers]
    current = [life for life in candidates if life.number == number and not life.removed]
    chosen = current or candidates
    return chosen[-1] if chosen else None


def slipped(plan_root: Path) -> list[ActionLife]:
    """Actions whose deadline moved later over their life, most slipped first."""
    moved = [life for life in lives(plan_root) if life.months_slipped > 0]
    return sorted(moved, key=lambda life: (-life.months_slipped, life.number))
