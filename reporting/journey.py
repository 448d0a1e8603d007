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

Every public journey is built on it (reporting/registry.py lists them); one set of views
(reporting/views.py) serves them all. What a page needs beyond its form is the step's business:
`form_kwargs` (from the answers), `borough_kwargs` (from the borough, e.g. its working calendar),
`context` (extra template context, e.g. an "add another" list's rows). See docs/journeys.md.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone

if TYPE_CHECKING:
    from contacts.models import Borough

SESSION_PREFIX = "journey"
SENT_PREFIX = "journey-sent"
SUBMISSION_KEY = "submission_key"
REFUSED = "refused"
VERSION = 1
YES, NO, UNKNOWN = "yes", "no", "unknown"


@dataclass(frozen=True)
class Location:
    """One page of a journey: a step, and for repeating steps the item's index (0-based)."""

    step: str
    index: int | None = None


NextRule = Callable[["State", int | None], "Location | str"]
# A page's URL: (location, change=False) -> str, given to steps that link to other pages.
LocationUrl = Callable[..., str]


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
    # Extra keyword arguments for the form from the borough (e.g. its working calendar).
    borough_kwargs: Callable[[Borough], dict] | None = None
    # Extra template context (e.g. the rows of an "add another" list, with their links).
    context: Callable[[State, LocationUrl], dict] | None = None

    def kwargs(self, state: State, index: int | None, borough: Borough) -> dict:
        """Every keyword argument the step's form takes beyond its data."""
        kwargs = self.form_kwargs(state, index) if self.form_kwargs else {}
        if self.borough_kwargs:
            kwargs.update(self.borough_kwargs(borough))
        return kwargs


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

    # -- answers set aside to be asked again (see `recheck`) --------------------------------
    def set_aside(self, name: str) -> None:
        """Forget a question's answer but keep it as a draft, shown again as typed."""
        stored = self.data["steps"].pop(name, None)
        if stored is not None:
            self.extra[f"draft:{name}"] = stored

    def drop_draft(self, name: str) -> None:
        self.extra.pop(f"draft:{name}", None)

    def stored_or_draft(self, step: Step, index: int | None) -> dict | None:
        """What a question's form starts with: its answer, or an answer set aside."""
        stored = self.answer(step, index)
        if stored is None and index is None:
            stored = self.extra.get(f"draft:{step.name}")
        return stored

    # -- an answer refused: kept for the page shown after the redirect (post/redirect/get) ---
    def keep_refused(self, location: Location, data: dict, file_errors: dict) -> None:
        """What was typed on a page whose answer was refused (field name -> values), and the
        messages of its file fields (a browser never sends a file again)."""
        self.extra[REFUSED] = {
            "at": [location.step, location.index],
            "data": data,
            "file_errors": file_errors,
        }

    def take_refused(self, location: Location) -> dict | None:
        """The refused answer to show again on this page, once; forgotten anyway."""
        refused = self.extra.pop(REFUSED, None)
        if refused and refused["at"] == [location.step, location.index]:
            return refused
        return None

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
    # What one item of each repeating group is called in a title: {"children": "child"}.
    item_names: dict[str, str] = field(default_factory=dict)
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

    def page_title(self, location: Location) -> str:
        """The page's own part of its <title>: the step's title, else its form's question as
        worded with no answers given (no name, no earlier answer: a title is seen on a shared
        phone's tab list and history), and which item of a group ("child 2"). Never built
        from the answers: it takes none."""
        step = self.step(location.step)
        title = step.title or str(step.form_class().title)
        if location.index is not None and step.group:
            title = f"{title} – {self.item_names.get(step.group, 'item')} {location.index + 1}"
        return title

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

    # -- after sending: only the reference stays (the scope, the borough, is in the key) -----
    def sent_key(self, scope: str) -> str:
        return f"{SENT_PREFIX}:{self.name}:{scope}"

    def mark_sent(self, session, scope: str, reference: str, page: dict | None = None) -> None:
        """The journey was sent: forget every answer, keep only the reference, so that any of
        its pages says "You have already sent this report" rather than "start again".
        `page`: what the confirmation page says, when the sender worked it out from the
        referral just saved (no answer in it: facts such as "emailed"), so that the page
        need not read the referral again."""
        self.clear(session, scope)
        session[self.sent_key(scope)] = reference
        if page is None:
            session.pop(self.sent_page_key(scope), None)
        else:
            session[self.sent_page_key(scope)] = page

    def sent_page_key(self, scope: str) -> str:
        return f"{self.sent_key(scope)}:page"

    def sent_reference(self, session, scope: str) -> str | None:
        reference = session.get(self.sent_key(scope))
        return reference if isinstance(reference, str) else None

    def sent_page(self, session, scope: str) -> dict | None:
        page = session.get(self.sent_page_key(scope))
        return page if isinstance(page, dict) else None

    def forget_sent(self, session, scope: str) -> None:
        session.pop(self.sent_key(scope), None)
        session.pop(self.sent_page_key(scope), None)

    def submission_key(self, session, scope: str, state: State) -> str:
        """The key of this journey's one submission, fixed the first time "Check your
        answers" is shown (and kept if answers change): every "Send" carries it."""
        key = state.extra.get(SUBMISSION_KEY)
        if not key:
            key = state.extra[SUBMISSION_KEY] = uuid.uuid4().hex
            self.save(session, scope, state)
        return key

    def answered(
        self, session, scope: str, state: State, location: Location, data: dict, *, change: bool
    ) -> tuple[Location, bool]:
        """Store a valid answer, run its step's `on_save` and save the state. Returns where to
        go (when changing an answer, the first unanswered question or the end) and whether
        the next page is still part of that change."""
        step = self.step(location.step)
        state.drop_draft(step.name)
        state.extra.pop(REFUSED, None)
        state.set_answer(step, location.index, data)
        target = step.on_save(state, data, location.index) if step.on_save else None
        if change:
            target = self.first_incomplete(state)
        elif target is None:
            target = self.next_location(state, location)
        self.save(session, scope, state)
        return target, change and target.step != self.finish

    def refused(
        self, session, scope: str, state: State, location: Location, data: dict, file_errors
    ) -> None:
        state.keep_refused(location, data, file_errors)
        self.save(session, scope, state)

    def take_refused(self, session, scope: str, state: State, location: Location) -> dict | None:
        """The refused answer a page shows again after the redirect (once), or None."""
        if REFUSED not in state.extra:
            return None
        refused = state.take_refused(location)
        self.save(session, scope, state)
        return refused

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
        seen: set[Location] = set()  # a rule that loops back ends the path
        location: Location | None = self.first
        while location is not None and location not in seen:
            path.append(location)
            seen.add(location)
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


def forget_all(session) -> None:
    """Exit: every journey's answers and every sent reference, in every borough, gone from the
    session (other keys, e.g. a signed-in member of staff's, are left alone)."""
    for key in list(session.keys()):
        if key.startswith((f"{SESSION_PREFIX}:", f"{SENT_PREFIX}:")):
            del session[key]


# -- "add another" lists ----------------------------------------------------------------------
@dataclass(frozen=True)
class AddAnother:
    """The rules of one repeating group (children, parents and carers): its pages are asked
    item by item, then its list page asks whether to add another; 'Yes' forgets that answer
    (it is asked again after the new item) and goes to the new item's first page."""

    group: str  # the State group the items are stored in (and the list's template variable)
    first: str  # the first page of an item
    list_page: str  # the "add another" page
    remove_page: str  # the "are you sure you want to remove" page
    item_name: Callable[[State, int], str]
    fallback: str  # the item's name on the "remove" page when it has none, e.g. "child"
    flag: str  # set in State.extra while a new item is being added
    # The list page's rows: each item's name and a one-line summary.
    row_name: Callable[[State, int], str] | None = None
    row_summary: Callable[[State, int], str] | None = None

    def after_last(self, state: State, index) -> Location | str:
        """After an item's last page: the next item's pages, the new item's, or the list."""
        count = len(state.items(self.group))
        if index + 1 < count:
            return Location(self.first, index + 1)
        if state.extra.get(self.flag):
            return Location(self.first, count)
        return self.list_page

    def add_another(self, state: State, data: dict, index) -> Location | None:
        if data.get("add_another") == YES:
            state.forget(self.list_page)
            state.extra[self.flag] = True
            return Location(self.first, len(state.items(self.group)))
        return None

    def item_saved(self, state: State, data: dict, index) -> None:
        state.extra.pop(self.flag, None)

    def stop_adding(self, state: State) -> None:
        state.extra.pop(self.flag, None)

    def remove(self, state: State, data: dict, index) -> Location:
        if data.get("remove") == YES:
            state.remove_item(self.group, index)
        return Location(self.list_page)

    def back_from_first(self, state: State, index) -> Location | None:
        if index and index >= len(state.items(self.group)):  # a new item: back to the list
            return Location(self.list_page)
        return None

    def count_kwargs(self, state, index):
        return {"count": len(state.items(self.group))}

    def remove_kwargs(self, state, index):
        return {"child_name": self.item_name(state, index) or f"{self.fallback} {index + 1}"}

    def rows(self, state: State, url: LocationUrl) -> dict:
        """The list page's items: name, summary, change and remove links."""
        count = len(state.items(self.group))
        name = self.row_name or self.item_name
        return {
            self.group: [
                {
                    "name": name(state, index),
                    "summary": self.row_summary(state, index) if self.row_summary else "",
                    "change_url": url(Location(self.first, index)),
                    "remove_url": url(Location(self.remove_page, index)) if count > 1 else None,
                }
                for index in range(count)
            ]
        }

    def remove_step(self, form_class) -> Step:
        return Step(
            self.remove_page,
            title=f"Are you sure you want to remove this {self.fallback}?",
            form_class=form_class,
            group=self.group,
            detached=True,
            on_save=self.remove,
            form_kwargs=self.remove_kwargs,
        )

    def list_step(self, form_class, next_rule, template: str) -> Step:
        return Step(
            self.list_page,
            form_class=form_class,
            next=next_rule,
            template=template,
            on_save=self.add_another,
            prepare=self.stop_adding,
            form_kwargs=self.count_kwargs,
            context=self.rows,
        )


def recheck(step_name: str, form_class, kwargs):
    """An `on_save` hook for a question whose answer shapes a later page (which criteria
    need details, which contact details are needed): when the later page's stored answer no
    longer passes, it is set aside as a draft (shown again as typed) and asked again."""

    def hook(state: State, data: dict, index) -> None:
        stored = state.answer(step_name)
        if stored is not None and not form_class(data=stored, **kwargs(state, None)).is_valid():
            state.set_aside(step_name)

    return hook


# -- check your answers ----------------------------------------------------------------------
@dataclass
class Row:
    key: str
    value: str
    change: Location | None
    change_label: str = ""


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    remove: Location | None = None
    add_child: bool = False  # the last child's section offers "Add another child"


def choice_label(choices, value) -> str:
    return dict(choices).get(value, value or "")


def format_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


class OnPath:
    """The answers that count (on the path), by page: `get(step, index)` is the page's answer,
    {} for a page not on the path."""

    def __init__(self, journey: Journey, state: State):
        self.found = {(loc.step, loc.index): value for loc, value in journey.answers_on_path(state)}

    def get(self, step: str, index: int | None = None) -> dict:
        return self.found.get((step, index), {})

    def items(self, first: str) -> range:
        """The indexes of a repeating group's items on the path, by the item's first page."""
        count = 0
        while (first, count) in self.found:
            count += 1
        return range(count)


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
