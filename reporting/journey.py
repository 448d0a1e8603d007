"""A small engine for GOV.UK "question pages -> check your answers" journeys.

A journey is a set of named steps. Each step is a page: a question (it has a form) or an
information page (no form: a stop page, or the check-your-answers page at the end). Each
question step says which step comes next, from the answers so far. Some steps repeat inside a
*group* ("children": add another child), and carry an index in their URL.

The answers live in the server-side session as JSON-safe dicts, one per (step, index). The
*path* is the walk from the first step through answered questions, following each step's
`next`: it stops at the first unanswered question or at an information page. It tells us which
answers count (a changed answer can leave others off the path: they are kept but ignored), where
a back link goes, whether a page may be shown yet, and whether the journey is complete.

The concern journey (reporting/concern_journey.py) is the first user; Family Wellbeing,
self-referral and consultation journeys are meant to reuse this as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone

SESSION_PREFIX = "journey"
VERSION = 1


@dataclass(frozen=True)
class Location:
    """One page of a journey: a step, and for repeating steps the item's index (0-based)."""

    step: str
    index: int | None = None


NextRule = Callable[["State", int | None], "Location | str"]


@dataclass(frozen=True)
class Step:
    name: str
    title: str = ""
    form_class: type[forms.Form] | None = None  # None: an information page, the path ends here
    next: NextRule | str | None = None
    group: str | None = None  # repeating steps are stored per item of this group
    template: str = "reporting/question.html"
    detached: bool = False  # never on the path (e.g. "remove this child"): shown on demand
    # Runs before the page is shown or answered (e.g. to tidy up an abandoned "add another").
    prepare: Callable[[State], None] | None = None
    # Extra keyword arguments for the form (wording that depends on earlier answers).
    form_kwargs: Callable[[State, int | None], dict] | None = None
    # Runs after a valid answer is stored; may change the state and return where to go.
    on_save: Callable[[State, dict, int | None], Location | None] | None = None
    # Overrides the back link (the previous page on the path) when it returns a location.
    back: Callable[[State, int | None], Location | None] | None = None


class State:
    """The answers of one journey, as kept in the session."""

    def __init__(self, data: dict | None = None):
        self.data = data or {
            "v": VERSION,
            "started_at": timezone.now().isoformat(),
            "steps": {},
            "groups": {},
            "extra": {},
        }

    # -- answers ----------------------------------------------------------------------------
    def answer(self, step: Step | str, index: int | None = None) -> dict | None:
        name = step if isinstance(step, str) else step.name
        group = None if isinstance(step, str) else step.group
        if group is not None:
            items = self.items(group)
            if index is None or not 0 <= index < len(items):
                return None
            return items[index].get(name)
        return self.data["steps"].get(name)

    def set_answer(self, step: Step, index: int | None, value: dict) -> None:
        if step.group is not None:
            items = self.items(step.group)
            if index == len(items):  # the first answer about a new item
                items.append({})
            items[index][step.name] = value
        else:
            self.data["steps"][step.name] = value

    def forget(self, name: str) -> None:
        self.data["steps"].pop(name, None)

    # -- repeating groups -------------------------------------------------------------------
    def items(self, group: str) -> list[dict]:
        return self.data["groups"].setdefault(group, [])

    def remove_item(self, group: str, index: int) -> None:
        items = self.items(group)
        if 0 <= index < len(items):
            del items[index]

    @property
    def extra(self) -> dict:
        return self.data["extra"]


@dataclass
class Journey:
    name: str
    steps: list[Step]
    finish: str = "check"  # the check-your-answers step
    by_name: dict[str, Step] = field(init=False)

    def __post_init__(self):
        self.by_name = {step.name: step for step in self.steps}
        assert self.finish in self.by_name, "the finish step must be one of the steps"

    @property
    def first(self) -> Location:
        first = self.steps[0]
        return Location(first.name, 0 if first.group else None)

    def step(self, name: str) -> Step:
        return self.by_name[name]

    # -- session storage --------------------------------------------------------------------
    def session_key(self, scope: str) -> str:
        return f"{SESSION_PREFIX}:{self.name}:{scope}"

    def load(self, session, scope: str) -> State | None:
        data = session.get(self.session_key(scope))
        if not isinstance(data, dict) or data.get("v") != VERSION:
            return None
        return State(data)

    def start(self, session, scope: str) -> State:
        state = State()
        self.save(session, scope, state)
        return state

    def save(self, session, scope: str, state: State) -> None:
        session[self.session_key(scope)] = state.data
        session.modified = True  # nested dicts changed in place

    def clear(self, session, scope: str) -> None:
        session.pop(self.session_key(scope), None)

    def answered(
        self, session, scope: str, state: State, location: Location, data: dict, *, change: bool
    ) -> tuple[Location, bool]:
        """Store a valid answer, run its step's `on_save` and save the state. Returns where to
        go (when changing an answer, the first unanswered question or the end) and whether
        the next page is still part of that change."""
        step = self.step(location.step)
        state.set_answer(step, location.index, data)
        target = step.on_save(state, data, location.index) if step.on_save else None
        if change:
            target = self.first_incomplete(state)
        elif target is None:
            target = self.next_location(state, location)
        self.save(session, scope, state)
        return target, change and target.step != self.finish

    # -- the path ---------------------------------------------------------------------------
    def next_location(self, state: State, location: Location) -> Location:
        step = self.step(location.step)
        rule = step.next
        target = rule(state, location.index) if callable(rule) else rule
        if target is None:
            raise ValueError(f"step {step.name!r} has no next step")
        if isinstance(target, str):
            target_step = self.step(target)
            index = (
                location.index if target_step.group and target_step.group == step.group else None
            )
            return Location(target, index)
        return target

    def path(self, state: State) -> list[Location]:
        """The pages from the first up to the first unanswered question or information page."""
        path: list[Location] = []
        location: Location | None = self.first
        while location is not None and location not in path:
            path.append(location)
            step = self.step(location.step)
            if step.form_class is None or state.answer(step, location.index) is None:
                break
            location = self.next_location(state, location)
        return path

    def first_incomplete(self, state: State) -> Location:
        """Where someone carries on: the first unanswered question, or the end."""
        return self.path(state)[-1]

    def is_complete(self, state: State) -> bool:
        return self.first_incomplete(state).step == self.finish

    def answers_on_path(self, state: State) -> list[tuple[Location, dict]]:
        """The answers that count, in order."""
        found = []
        for location in self.path(state):
            answer = state.answer(self.step(location.step), location.index)
            if answer is not None:
                found.append((location, answer))
        return found

    def may_show(self, state: State, location: Location) -> bool:
        """A page may be shown when it is on the path (or, for a detached page, when the item
        it is about exists). Anything else is someone jumping ahead, or an old link."""
        step = self.step(location.step)
        if (step.group is None) != (location.index is None):
            return False
        if step.detached:
            return 0 <= location.index < len(state.items(step.group))
        return location in self.path(state)

    def back_location(self, state: State, location: Location) -> Location | None:
        step = self.step(location.step)
        if step.back is not None and (custom := step.back(state, location.index)) is not None:
            return custom
        path = self.path(state)
        if location in path:
            position = path.index(location)
            return path[position - 1] if position > 0 else None
        return None


# -- values in the session -------------------------------------------------------------------
def to_json(value: Any) -> Any:
    """Cleaned form data -> JSON-safe (dates as ISO strings)."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class JourneyForm(forms.Form):
    """A question page's form. `dump` turns cleaned data into what the session keeps, and
    `initial_from` turns that back into the form's initial values."""

    date_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def dump(self) -> dict:
        return to_json(dict(self.cleaned_data))

    @classmethod
    def initial_from(cls, stored: dict | None) -> dict:
        if not stored:
            return {}
        initial = dict(stored)
        for name in cls.date_fields:
            if initial.get(name):
                initial[name] = dt.date.fromisoformat(initial[name])
        return initial
