"""The rubric and answers file formats as pydantic models.

Field names are the file format (see docs/rubric-format.md); unknown fields are
rejected so a typo such as ``treshold`` is reported instead of ignored.  Rules
that need the whole document (unique ids, existing scales, reachable levels)
live in ``cslevels.core.checks`` so that they can be reported all at once.
"""

# No ``from __future__ import annotations``: pydantic would have to evaluate every field's
# annotation from its string at class creation, ~1 ms of each start-up.  The annotations
# here need Python 3.10 (``X | None``), which cslevels requires anyway.

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    field_validator,
)

from cslevels.core.paper import DEFAULT_PAPER_TEXT, Paper

RUBRIC_SCHEMA = "cslevels/rubric/v1"
ANSWERS_SCHEMA = "cslevels/answers/v1"
BRAND_SCHEMA = "cslevels/brand/v1"
NA = "n/a"
# Float noise allowed when comparing scores and thresholds: the one tolerance of every
# scoring rule and rubric check.
EPSILON = 1e-9

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length=64,
        description="Lowercase letters, digits and single dashes, e.g. `follow-up`.",
    ),
]
# The longest texts the formats take, in characters: one definition for the models, the
# summary's fast path, the questionnaire and the browser form (a workbook cell holds 32,767).
TEXT_MAX_CHARS = 10_000
NOTE_MAX_CHARS = 10_000
NAME_MAX_CHARS = 1_000
EVIDENCE_MAX_CHARS = 2_000

Text = Annotated[StrictStr, Field(min_length=1, max_length=TEXT_MAX_CHARS)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=NAME_MAX_CHARS)]
Narrative = Annotated[StrictStr, Field(min_length=1, max_length=NOTE_MAX_CHARS)]
# Lower bounds that keep scoring exact enough (docs/rubric-format.md): a weight of 5e-324
# times a score of 0.5 underflows to 0, and a threshold near 0 would be met by a score of 0
# within the float tolerance the level rules allow (EPSILON).
MIN_WEIGHT = 0.001
MIN_SHARE = 0.01
Share = Annotated[float, Field(ge=MIN_SHARE, le=1)]
Weight = Annotated[float, Field(ge=MIN_WEIGHT, le=1000)]


def _coverage(value: float) -> float:
    if 0 < value < MIN_SHARE:
        raise ValueError(f"must be 0 (no minimum) or at least {MIN_SHARE:g}")
    return value


# 0 means "no minimum"; otherwise at least MIN_SHARE, as a threshold.
Coverage = Annotated[
    float, Field(ge=0, le=1, json_schema_extra={"not": {"exclusiveMinimum": 0,
                                                        "exclusiveMaximum": MIN_SHARE}}),
    AfterValidator(_coverage)]
OptionValue = StrictInt | Annotated[StrictStr, Field(min_length=1, max_length=64)]


class _Model(BaseModel):
    # defer_build: validators are built on first use, so a command builds only the
    # models it validates (a rubric, an answers file), not every class at import.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Source(_Model):
    """Where a rubric's ideas come from."""

    title: Text
    note: Text | None = None
    url: Text | None = None


class Option(_Model):
    """One answer a scale offers; ``score`` is its share of full marks."""

    value: OptionValue = Field(description="What an answers file writes, e.g. 3 or 'partly'.")
    label: Text
    score: Annotated[float, Field(ge=0, le=1)]


class Scale(_Model):
    """A named answer scale, shared by the questions that use it."""

    label: Text
    options: Annotated[list[Option], Field(min_length=2)]

    def option(self, value: object) -> Option | None:
        for option in self.options:
            if option.value == value and type(option.value) is type(value):
                return option
        return None

    @property
    def best(self) -> Option:
        return max(self.options, key=lambda o: o.score)


class Question(_Model):
    """Something an assessor can answer from observation or records."""

    id: Identifier
    text: Text
    scale: StrictStr
    weight: Weight = 1.0
    allow_na: bool = False
    required: bool = Field(
        default=False,
        description="A defining criterion: the level is achieved only when this question is "
        "answered n/a or with an option scoring at least the level's threshold; while it is "
        "unanswered the level is insufficient.",
    )
    guidance: Text | None = Field(default=None, description="What counts as evidence.")
    recommendation: Text | None = Field(
        default=None, description="What to do when this scores low."
    )


class Level(_Model):
    """One rung of the model; the first in the file is level 1."""

    id: Identifier
    name: Text
    summary: Text | None = None
    threshold: Share | None = Field(
        default=None, description="Overrides the rubric's threshold for this level."
    )
    weight: Weight = Field(default=1.0, description="The level's weight in the index.")
    questions: list[Question]


def question_key(level: Level, question: Question) -> str:
    """How answers files name a question: ``<level-id>.<question-id>``."""
    return f"{level.id}.{question.id}"


class Rubric(_Model):
    """A maturity model: answer scales and ordered levels of questions."""

    model_config = ConfigDict(title="cslevels rubric")

    schema_id: Literal["cslevels/rubric/v1"] = Field(alias="schema")
    id: Identifier
    version: Text
    title: Text
    description: Text | None = None
    source: Source | None = None
    subject: Text = "business"
    method: Literal["staged", "continuous"] = "staged"
    threshold: Share = Field(default=0.75, description="Share of a level's points to achieve it.")
    min_coverage: Coverage = Field(
        default=0.5, description="Below this weighted share answered, a level is insufficient."
    )
    scales: dict[StrictStr, Scale]
    levels: Annotated[list[Level], Field(min_length=1)]

    def level_threshold(self, level: Level) -> float:
        return level.threshold if level.threshold is not None else self.threshold

    def questions(self) -> list[tuple[Level, Question]]:
        return [(level, q) for level in self.levels for q in level.questions]

    def question_keys(self) -> list[str]:
        return [question_key(level, q) for level, q in self.questions()]

    def find(self, key: str) -> tuple[Level, Question] | None:
        level_id, _, question_id = key.partition(".")
        for level in self.levels:
            if level.id == level_id:
                for question in level.questions:
                    if question.id == question_id:
                        return level, question
        return None


AnswerValue = StrictInt | Annotated[StrictStr, Field(max_length=64)]


# Plain functions rather than ``list`` / ``dict`` as default factories: pydantic inspects a
# factory's signature, and for a builtin that means tokenizing its text signature, which
# compiles the tokenizer's large regex: ~8 ms of every start-up.
def _empty_list() -> list[str]:
    return []


class AnswerEntry(_Model):
    """An answer with the assessor's note and the evidence behind it."""

    value: AnswerValue | None = None
    note: Annotated[StrictStr, Field(max_length=NOTE_MAX_CHARS)] | None = None
    evidence: list[Annotated[StrictStr, Field(max_length=EVIDENCE_MAX_CHARS)]] = Field(
        default_factory=_empty_list)


def _empty_answers() -> dict[str, AnswerValue | AnswerEntry | None]:
    return {}


class Answers(_Model):
    """One assessment of one subject against one rubric."""

    model_config = ConfigDict(title="cslevels answers")

    schema_id: Literal["cslevels/answers/v1"] = Field(alias="schema")
    rubric: StrictStr = Field(description="A rubric id (built-in or from a rubric folder).")
    rubric_version: StrictStr | None = None
    subject: Text
    assessor: Annotated[StrictStr, Field(max_length=NAME_MAX_CHARS)] | None = None
    prepared_for: Name | None = Field(
        default=None, description="Who the report is for, e.g. the owner or a client contact; "
                                  "shown on the report's cover.")
    executive_summary: Narrative | None = Field(
        default=None, description="The assessor's own words on the assessment, shown first in "
                                  "the report, before what cslevels derives from the answers.")
    date: dt.date | None = None
    target: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="The level the subject aims for; reports show the gap to it."
    )
    answers: dict[
        Annotated[StrictStr, Field(pattern=r"^[^.\s]+\.[^.\s]+$")],
        AnswerValue | AnswerEntry | None,
    ] = Field(default_factory=_empty_answers,
              description="`<level-id>.<question-id>` to an answer.")

    @field_validator("answers", mode="before")
    @classmethod
    def _blank_is_empty(cls, value: object) -> object:
        # A fresh template has every entry commented out, which YAML reads as null.
        return {} if value is None else value

    @field_validator("date", mode="before")
    @classmethod
    def _no_datetimes(cls, value: object) -> object:
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time() else value
        return value

    def entry(self, key: str) -> AnswerEntry | None:
        """The answer for ``key`` in its long form; None when unanswered."""
        raw = self.answers.get(key)
        if raw is None:
            return None
        if isinstance(raw, AnswerEntry):
            return raw if raw.value is not None else None
        return AnswerEntry(value=raw)


HEX_COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
HexColour = Annotated[StrictStr, Field(pattern=HEX_COLOUR_PATTERN,
                                        description="A colour as #rrggbb, e.g. `#1f5f8b`.")]


class Brand(_Model):
    """A consultant's branding for the reports they hand to clients (``--brand FILE``)."""

    model_config = ConfigDict(title="cslevels brand")

    schema_id: Literal["cslevels/brand/v1"] = Field(alias="schema")
    firm: Name | None = Field(default=None, description="The firm's name, on the cover and header.")
    prepared_by: Name | None = Field(default=None, description="Who prepared the report.")
    contact: Name | None = Field(default=None, description="A contact line: e-mail, phone, web.")
    logo: Annotated[StrictStr, Field(min_length=1, max_length=4096)] | None = Field(
        default=None,
        description="A PNG, JPEG or SVG file, relative to the brand file; embedded in reports.")
    accent: HexColour | None = Field(default=None, description="The accent colour of reports.")
    confidentiality: Text | None = Field(
        default=None, description="A line on every page, e.g. 'Confidential: prepared for …'.")
    paper: Paper | None = Field(
        default=None, description="The paper of PDFs and printed pages, a4 or letter; "
                                  f"--paper overrides it. Default: {DEFAULT_PAPER_TEXT}.")
