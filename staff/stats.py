"""Usage and feedback report: what was answered, what helped, what was missed, per day.

Two renderings of the same Stats: a plain-text table for the terminal, and one
self-contained HTML page (inline SVG charts, no scripts, nothing fetched) that a clinic
manager can open in any browser or attach to an email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path

from faq.model import FAQ
from records.store import Store


@dataclass(frozen=True)
class EntryStats:
    entry_id: str
    question: str  # "" when the entry is no longer in the FAQ
    answers: int
    helpful: int
    not_helpful: int

    @property
    def in_faq(self) -> bool:
        return bool(self.question)


@dataclass(frozen=True)
class DayStats:
    day: date  # UTC
    unanswered: int
    clarified: int
    urgent: int = 0  # urgent-care replies sent


@dataclass(frozen=True)
class Stats:
    since_days: int
    generated_at: datetime  # UTC
    entries: tuple[EntryStats, ...]  # most answered first; every FAQ entry, even unused
    days: tuple[DayStats, ...]  # every UTC day of the period, oldest first
    # urgent-care replies per rule that fired, most first (counts only, never the text)
    urgent_rules: tuple[tuple[str, int], ...] = ()

    @property
    def first_day(self) -> date:
        return self.days[0].day

    @property
    def last_day(self) -> date:
        return self.days[-1].day

    @property
    def total_answers(self) -> int:
        return sum(e.answers for e in self.entries)

    @property
    def total_unanswered(self) -> int:
        return sum(d.unanswered for d in self.days)

    @property
    def total_clarified(self) -> int:
        return sum(d.clarified for d in self.days)

    @property
    def total_urgent(self) -> int:
        return sum(d.urgent for d in self.days)


def collect_stats(store: Store, faq: FAQ, since_days: int, now: datetime | None = None) -> Stats:
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware (use datetime.now(UTC))")
    now = datetime.now(UTC) if now is None else now.astimezone(UTC)
    answers = store.answers_per_entry(since_days, now=now)
    feedback = store.feedback_per_entry(since_days, now=now)
    # Entries the FAQ no longer has still show, so old data is never silently dropped.
    ids = [e.id for e in faq.entries]
    ids += sorted((set(answers) | set(feedback)) - set(ids))
    entries = []
    for entry_id in ids:
        entry = faq.entry(entry_id)
        votes = feedback.get(entry_id)
        entries.append(
            EntryStats(
                entry_id=entry_id,
                question=entry.question if entry else "",
                answers=answers.get(entry_id, 0),
                helpful=votes.helpful if votes else 0,
                not_helpful=votes.not_helpful if votes else 0,
            )
        )
    # Stable sort: equally used entries keep the FAQ's order.
    entries.sort(key=lambda e: -e.answers)
    per_day = {d.day: d for d in store.unanswered_per_day(since_days, now=now)}
    urgent_days = store.urgent_per_day(since_days, now=now)
    first = (now - timedelta(days=since_days)).date()
    days = []
    for offset in range((now.date() - first).days + 1):
        day = first + timedelta(days=offset)
        found = per_day.get(day)
        days.append(
            DayStats(
                day,
                found.unanswered if found else 0,
                found.clarified if found else 0,
                urgent_days.get(day, 0),
            )
        )
    rules = tuple(store.urgent_per_rule(since_days, now=now).items())
    return Stats(since_days, now, tuple(entries), tuple(days), rules)


# -- plain text --------------------------------------------------------------------------


def _period(stats: Stats) -> str:
    return (
        f"{stats.first_day.isoformat()} to {stats.last_day.isoformat()} "
        f"(last {stats.since_days} days, UTC)"
    )


def render_text(stats: Stats) -> str:
    lines = [
        f"Usage from {_period(stats)}",
        f"Answers sent: {stats.total_answers}   Unanswered questions: {stats.total_unanswered}"
        f'   "Did you mean" replies: {stats.total_clarified}'
        f"   Urgent-care replies: {stats.total_urgent}",
        "",
    ]
    width = max([len("Entry"), *(len(e.entry_id) + 2 for e in stats.entries)])
    lines.append(f"{'Entry':<{width}}  {'Answers':>7}  {'Helpful':>7}  {'Not helpful':>11}")
    for e in stats.entries:
        name = e.entry_id if e.in_faq else f"{e.entry_id} *"
        lines.append(f"{name:<{width}}  {e.answers:>7}  {e.helpful:>7}  {e.not_helpful:>11}")
    if not all(e.in_faq for e in stats.entries):
        lines.append("* no longer in the FAQ")
    lines.append("")
    missed = [d for d in stats.days if d.unanswered or d.clarified]
    if missed:
        lines.append("Unanswered per day (days without any are left out):")
        lines.append(f"{'Day':<10}  {'Unanswered':>10}  {'Did you mean':>12}")
        for d in missed:
            lines.append(f"{d.day.isoformat():<10}  {d.unanswered:>10}  {d.clarified:>12}")
    else:
        lines.append("No unanswered questions in this period.")
    lines.append("")
    if stats.urgent_rules:
        lines.append("Urgent-care replies per day (days without any are left out):")
        lines.extend(f"{d.day.isoformat():<10}  {d.urgent:>6}" for d in stats.days if d.urgent)
        lines.append("")
        lines.append("Urgent-care replies per rule that fired:")
        width = max(len(rule) for rule, _ in stats.urgent_rules)
        lines.extend(f"{rule:<{width}}  {count:>6}" for rule, count in stats.urgent_rules)
    else:
        lines.append("No urgent-care replies in this period.")
    return "\n".join(lines)


# -- HTML --------------------------------------------------------------------------------

# Blue and orange stay distinguishable for the common kinds of colour blindness.
_BLUE, _ORANGE, _GREY = "#1f77b4", "#e66100", "#888888"
_BAR_WIDTH, _ROW_HEIGHT = 420, 22
# Entry ids are at most 48 characters (the loader's limit); an id from old data could be
# anything, so labels are cut to that.
_MAX_LABEL = 48
_CHAR_WIDTH = 7.5  # px per character at the chart's font size, generously


def _label(entry_id: str) -> str:
    return entry_id if len(entry_id) <= _MAX_LABEL else entry_id[: _MAX_LABEL - 1] + "…"


def _label_width(entries: list[EntryStats]) -> int:
    return int(max(len(_label(e.entry_id)) for e in entries) * _CHAR_WIDTH) + 12


def write_html_report(stats: Stats, path: Path) -> None:
    path.write_text(render_html(stats), encoding="utf-8")


def render_html(stats: Stats) -> str:
    title = f"FAQ bot report, {_period(stats)}"
    used = [e for e in stats.entries if e.answers]
    rated = [e for e in stats.entries if e.helpful or e.not_helpful]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Generated {escape(stats.generated_at.strftime('%Y-%m-%d %H:%M'))} UTC. "
        f"Answers sent: <b>{stats.total_answers}</b>. "
        f"Unanswered questions: <b>{stats.total_unanswered}</b>. "
        f"&ldquo;Did you mean&rdquo; replies: <b>{stats.total_clarified}</b>.</p>",
        "<h2>Answers per entry</h2>",
        _answers_chart(used) if used else "<p>No answers were sent in this period.</p>",
        "<h2>Was the answer helpful?</h2>",
        _feedback_chart(rated) if rated else "<p>Nobody rated an answer in this period.</p>",
        "<h2>Unanswered questions per day</h2>",
        _days_chart(stats.days),
        "<p>Run <code>python -m faq misses</code> to see what these questions were.</p>",
        "<h2>All entries</h2>",
        _entry_table(stats.entries),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "color:#222}svg{max-width:100%;height:auto}svg text{font-size:13px;fill:#222}"
    "table{border-collapse:collapse}th,td{padding:.2rem .6rem;border-bottom:1px solid #ddd}"
    "td.n{text-align:right}.key{display:inline-block;width:.8em;height:.8em;margin:0 .3em}"
)


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def _bar(x: float, y: float, w: float, h: float, colour: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}">'
        f"<title>{escape(tip)}</title></rect>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def _answers_chart(entries: list[EntryStats]) -> str:
    top = max(e.answers for e in entries)
    left = _label_width(entries)
    body = []
    for i, e in enumerate(entries):
        y = i * _ROW_HEIGHT
        w = _BAR_WIDTH * e.answers / top
        body.append(_text(left - 6, y + 15, _label(e.entry_id), "end"))
        body.append(
            _bar(
                left,
                y + 3,
                w,
                _ROW_HEIGHT - 6,
                _BLUE,
                f"{e.entry_id}: {e.answers} answer{'s' * (e.answers != 1)}",
            )
        )
        body.append(_text(left + w + 4, y + 15, str(e.answers)))
    width = left + _BAR_WIDTH + 50
    return _svg(width, len(entries) * _ROW_HEIGHT, "Answers per entry", body)


def _feedback_chart(entries: list[EntryStats]) -> str:
    # Each bar is one entry's votes split into helpful and not helpful; bars share a scale
    # so a much-rated entry stands out from one with a single vote.
    top = max(e.helpful + e.not_helpful for e in entries)
    left = _label_width(entries)
    body = []
    for i, e in enumerate(entries):
        y = i * _ROW_HEIGHT
        yes = _BAR_WIDTH * e.helpful / top
        no = _BAR_WIDTH * e.not_helpful / top
        body.append(_text(left - 6, y + 15, _label(e.entry_id), "end"))
        body.append(
            _bar(left, y + 3, yes, _ROW_HEIGHT - 6, _BLUE, f"{e.entry_id}: {e.helpful} helpful")
        )
        body.append(
            _bar(
                left + yes,
                y + 3,
                no,
                _ROW_HEIGHT - 6,
                _ORANGE,
                f"{e.entry_id}: {e.not_helpful} not helpful",
            )
        )
        body.append(_text(left + yes + no + 4, y + 15, f"{e.helpful} / {e.not_helpful}"))
    width = left + _BAR_WIDTH + 70
    legend = (
        f'<p><span class="key" style="background:{_BLUE}"></span>helpful '
        f'<span class="key" style="background:{_ORANGE}"></span>not helpful</p>'
    )
    return legend + _svg(width, len(entries) * _ROW_HEIGHT, "Helpful and not helpful votes", body)


def _days_chart(days: tuple[DayStats, ...]) -> str:
    chart_height, axis, left = 160, 40, 30
    column = max(4, min(24, 700 // max(len(days), 1)))
    top = max([d.unanswered + d.clarified for d in days] + [1])
    body = [
        _text(left - 4, 12, str(top), "end"),
        _text(left - 4, chart_height, "0", "end"),
        f'<line x1="{left}" y1="{chart_height}" x2="{left + column * len(days)}" '
        f'y2="{chart_height}" stroke="{_GREY}"/>',
    ]
    label_every = max(1, len(days) // 10)
    for i, d in enumerate(days):
        x = left + i * column
        none_h = (chart_height - 4) * d.unanswered / top
        clarify_h = (chart_height - 4) * d.clarified / top
        tip = f"{d.day.isoformat()}: {d.unanswered} unanswered, {d.clarified} did you mean"
        body.append(_bar(x + 1, chart_height - none_h, column - 2, none_h, _ORANGE, tip))
        body.append(
            _bar(x + 1, chart_height - none_h - clarify_h, column - 2, clarify_h, _BLUE, tip)
        )
        if i % label_every == 0:
            body.append(_text(x + column / 2, chart_height + 16, d.day.strftime("%d %b"), "middle"))
    legend = (
        f'<p><span class="key" style="background:{_ORANGE}"></span>unanswered '
        f'<span class="key" style="background:{_BLUE}"></span>&ldquo;did you mean&rdquo;'
        "</p>"
    )
    width = left + column * len(days) + 30
    return legend + _svg(width, chart_height + axis, "Unanswered questions per day", body)


def _entry_table(entries: tuple[EntryStats, ...]) -> str:
    rows = [
        "<table><thead><tr><th>Entry</th><th>Question</th><th>Answers</th><th>Helpful</th>"
        "<th>Not helpful</th></tr></thead><tbody>"
    ]
    for e in entries:
        question = escape(e.question) if e.in_faq else "<i>no longer in the FAQ</i>"
        rows.append(
            f"<tr><td>{escape(e.entry_id)}</td><td>{question}</td>"
            f'<td class="n">{e.answers}</td><td class="n">{e.helpful}</td>'
            f'<td class="n">{e.not_helpful}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "".join(rows)
