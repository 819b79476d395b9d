"""Inline SVG charts drawn in Python, for self-contained HTML pages.

The functions take plain numbers and labels and return ``markupsafe.Markup``
ready to drop into an autoescaped HTML template (inline SVG, so no xmlns).
Every piece of text (labels,
titles, descriptions) goes through ``Markup.format``, which escapes anything
that is not already markup, so a label such as ``<script>`` ends up as a text
node.  Meaning never rests on colour alone: thresholds are dashed, series use
distinct dashes and markers, and every chart carries a ``<title>`` and
``<desc>`` for screen readers (pages also show the numbers as a table).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup

INK = "#1f2933"
MUTED = "#52606d"
GRID = "#d3d9e0"
ACCENT = "#1d4e89"
FILLS = {
    "achieved": "#2e7d57",
    "not achieved": "#c05621",
    "insufficient": "#8795a1",
    "default": ACCENT,
}
SERIES_STYLES = (  # colour, dash pattern, marker: distinct even in greyscale print
    (ACCENT, "", "circle"),
    ("#c05621", "6 3", "square"),
    ("#2e7d57", "2 3", "diamond"),
    ("#6b46c1", "8 3 2 3", "triangle"),
    ("#52606d", "1 2", "circle"),
)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
# The smallest text of a chart, in user units.  Printed pages draw a chart at its own
# width when it fits (_page.css.j2), where 12 units are 12 CSS px, that is 9 pt.
SMALL = 12.0


def _n(value: float) -> str:
    """A coordinate with at most one decimal: short, stable output."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _clamp(value: float | None, top: float = 1.0) -> float:
    if value is None or math.isnan(value):
        return 0.0
    return max(0.0, min(top, value))


def percent_label(value: float) -> str:
    """0.75 -> '75%': the default value format of the charts."""
    return f"{value * 100:.0f}%"


def wrap_label(text: str, width: int = 16, max_lines: int = 3) -> list[str]:
    """Break a label into short lines at spaces and after slashes."""
    words: list[str] = []
    for part in str(text).split():
        pieces = part.split("/")
        words += [p + "/" for p in pieces[:-1]] + [pieces[-1]]
    lines: list[str] = []
    for word in (w for w in words if w):
        if lines and len(lines[-1]) + len(word) + (0 if lines[-1].endswith("/") else 1) <= width:
            lines[-1] += word if lines[-1].endswith("/") else " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1] + "…"]
    return lines or [""]


def _open_svg(id_prefix: str, width: float, height: float, title: str, description: str,
              css_class: str) -> Markup:
    return Markup(
        '<svg class="{cls}" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-labelledby="{p}-title {p}-desc" '
        'font-family="{font}" font-size="12" fill="{ink}">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}</desc>'
    ).format(cls=css_class, w=_n(width), h=_n(height), p=id_prefix, font=FONT, ink=INK,
             title=title, desc=description)


def _text(x: float, y: float, lines: Sequence[str], *, anchor: str = "start",
          css_class: str = "", size: float | None = None, weight: str | None = None,
          fill: str | None = None, line_height: float = 14) -> Markup:
    """A <text> element; several lines become <tspan>s, vertically centred on y."""
    attrs = Markup(' text-anchor="{}"').format(anchor)
    if css_class:
        attrs += Markup(' class="{}"').format(css_class)
    if size is not None:
        attrs += Markup(' font-size="{}"').format(_n(size))
    if weight is not None:
        attrs += Markup(' font-weight="{}"').format(weight)
    if fill is not None:
        attrs += Markup(' fill="{}"').format(fill)
    if len(lines) == 1:
        return Markup('<text x="{}" y="{}" dominant-baseline="middle"{}>{}</text>').format(
            _n(x), _n(y), attrs, lines[0])
    top = y - line_height * (len(lines) - 1) / 2
    spans = Markup("").join(
        Markup('<tspan x="{}" y="{}">{}</tspan>').format(_n(x), _n(top + i * line_height), line)
        for i, line in enumerate(lines)
    )
    return Markup('<text dominant-baseline="middle"{}>{}</text>').format(attrs, spans)


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _marker(kind: str, x: float, y: float, colour: str, size: float = 4) -> Markup:
    if kind == "square":
        return Markup('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>').format(
            _n(x - size), _n(y - size), _n(2 * size), _n(2 * size), colour)
    if kind == "diamond":
        pts = [(x, y - size * 1.3), (x + size * 1.3, y), (x, y + size * 1.3), (x - size * 1.3, y)]
        return Markup('<polygon points="{}" fill="{}"/>').format(_points(pts), colour)
    if kind == "triangle":
        pts = [(x, y - size * 1.3), (x + size * 1.2, y + size), (x - size * 1.2, y + size)]
        return Markup('<polygon points="{}" fill="{}"/>').format(_points(pts), colour)
    return Markup('<circle cx="{}" cy="{}" r="{}" fill="{}"/>').format(
        _n(x), _n(y), _n(size), colour)


def radar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    thresholds: Sequence[float] | None = None,
    title: str,
    description: str = "",
    id_prefix: str = "radar",
    size: float = 240,
    value_label: str = "Score",
    threshold_label: str = "Threshold",
) -> Markup:
    """A spider chart of shares in [0, 1], one axis per label, clockwise from the top.

    A missing value (None) is a gap, never a zero: the outline breaks at its
    axis, whose label says "no score".  Meant for three or more axes; with
    fewer, callers should prefer :func:`bar_chart`.
    """
    if len(labels) != len(values):
        raise ValueError("radar_chart: labels and values differ in length")
    count = max(len(labels), 1)
    radius = size / 2
    margin_x, margin_top, legend = 118.0, 54.0, 30.0
    width = size + 2 * margin_x
    height = size + 2 * margin_top + legend
    cx, cy = width / 2, margin_top + radius

    def at(index: int, share: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return cx + radius * share * math.cos(angle), cy + radius * share * math.sin(angle)

    parts = [_open_svg(id_prefix, width, height, title, description, "chart chart-radar")]
    grid = Markup('<g class="grid" fill="none" stroke="{}" stroke-width="1">').format(GRID)
    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = [at(i, ring) for i in range(count)]
        grid += Markup('<polygon points="{}"/>').format(_points(ring_points))
    for i in range(count):
        x, y = at(i, 1.0)
        grid += Markup('<line x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            _n(cx), _n(cy), _n(x), _n(y))
    parts.append(grid + Markup("</g>"))
    ticks = Markup('<g class="ticks" aria-hidden="true">')
    for ring in (0.25, 0.5, 0.75, 1.0):
        _, y = at(0, ring)
        ticks += _text(cx + 3, y + 8, [percent_label(ring)], size=SMALL, fill=MUTED)
    parts.append(ticks + Markup("</g>"))
    if thresholds is not None:
        pts = [at(i, _clamp(t)) for i, t in enumerate(thresholds)]
        parts.append(Markup(
            '<polygon class="threshold" points="{}" fill="none" stroke="{}" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>').format(_points(pts), INK))
    scored = [v is not None and not math.isnan(v) for v in values]
    pts = [at(i, _clamp(v)) for i, v in enumerate(values)]
    if all(scored):
        parts.append(Markup(
            '<polygon class="values" points="{}" fill="{}" fill-opacity="0.18" stroke="{}" '
            'stroke-width="2.5" stroke-linejoin="round"/>').format(_points(pts), ACCENT, ACCENT))
    else:
        for run in _scored_runs(scored):
            if len(run) > 1:
                parts.append(Markup(
                    '<polyline class="values" points="{}" fill="none" stroke="{}" '
                    'stroke-width="2.5" stroke-linejoin="round"/>').format(
                        _points([pts[i] for i in run]), ACCENT))
    for i, (x, y) in enumerate(pts):
        if scored[i]:
            parts.append(_marker("circle", x, y, ACCENT, 3.5))
    labels_group = Markup('<g class="axis-labels">')
    for i, label in enumerate(labels):
        x, y = at(i, 1.0)
        dx, dy = x - cx, y - cy
        anchor = "middle" if abs(dx) < radius * 0.2 else ("start" if dx > 0 else "end")
        lines = wrap_label(label, 16) + ([] if scored[i] else ["(no score)"])
        offset = 13 + (7 * (len(lines) - 1) if abs(dx) < radius * 0.2 else 0)
        lx = x + (0 if anchor == "middle" else (8 if dx > 0 else -8))
        ly = y + (offset if dy > radius * 0.2 else (-offset if dy < -radius * 0.2 else 0))
        labels_group += _text(lx, ly, lines, anchor=anchor, size=12.5)
    parts.append(labels_group + Markup("</g>"))
    parts.append(_legend(width / 2, height - legend / 2,
                         [(value_label, ACCENT, "", "circle")]
                         + ([(threshold_label, INK, "5 4", "")] if thresholds is not None else [])))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _scored_runs(scored: Sequence[bool]) -> list[list[int]]:
    """The axes with a value, in runs of neighbours (the last axis neighbours the first)."""
    count = len(scored)
    if not any(scored):
        return []
    start = next(i for i in range(count) if not scored[i])  # a gap exists: start after it
    runs: list[list[int]] = []
    current: list[int] = []
    for step in range(1, count + 1):
        i = (start + step) % count
        if scored[i]:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _legend(cx: float, y: float, entries: Sequence[tuple[str, str, str, str]]) -> Markup:
    """A centred one-line legend of (label, colour, dash, marker) entries."""
    widths = [34 + 0.6 * SMALL * len(label) for label, *_ in entries]
    x = cx - (sum(widths) + 16 * (len(entries) - 1)) / 2
    out = Markup('<g class="legend">')
    for (label, colour, dash, marker), w in zip(entries, widths, strict=True):
        out += Markup(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"{}/>'
        ).format(_n(x), _n(y), _n(x + 24), _n(y), colour,
                 Markup(' stroke-dasharray="{}"').format(dash) if dash else Markup(""))
        if marker:
            out += _marker(marker, x + 12, y, colour, 3.5)
        out += _text(x + 30, y, [label], size=SMALL)
        x += w + 16
    return out + Markup("</g>")


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    thresholds: Sequence[float | None] | None = None,
    kinds: Sequence[str] | None = None,
    annotations: Sequence[str] | None = None,
    value_labels: Sequence[str] | None = None,
    title: str,
    description: str = "",
    id_prefix: str = "bars",
    width: float = 640,
    value_format: Callable[[float], str] = percent_label,
    missing_text: str = "no score",
    threshold_label: str = "Threshold",
) -> Markup:
    """Horizontal bars of shares in [0, 1], each with an optional threshold mark.

    ``kinds`` picks each bar's colour (keys of ``FILLS``, e.g. a level status);
    ``annotations`` is text written after each value (e.g. "✓ achieved"), so
    the meaning of the colour is also spelled out; ``value_labels`` replaces
    the formatted values (e.g. to show decimals near a threshold).
    """
    if len(labels) != len(values):
        raise ValueError("bar_chart: labels and values differ in length")
    label_width, value_width, row, top = 190.0, 150.0, 34.0, 10.0
    plot_left = label_width + 10
    plot_width = max(width - plot_left - value_width, 80)
    axis_y = top + row * len(labels) + 4
    height = axis_y + 54
    parts = [_open_svg(id_prefix, width, height, title, description, "chart chart-bars")]
    grid = Markup('<g class="grid" stroke="{}" stroke-width="1">').format(GRID)
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = plot_left + plot_width * tick
        grid += Markup('<line x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            _n(x), _n(top - 4), _n(x), _n(axis_y))
    parts.append(grid + Markup("</g>"))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + row * i
        mid = y + row / 2
        parts.append(_text(label_width, mid, wrap_label(label, int(label_width / (0.6 * SMALL)), 2),
                           anchor="end", size=SMALL, line_height=14))
        kind = kinds[i] if kinds is not None and kinds[i] in FILLS else "default"
        if value is not None:
            bar = plot_width * _clamp(value)
            parts.append(Markup(
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/>'
            ).format(_n(plot_left), _n(y + 7), _n(max(bar, 1.5)), _n(row - 14), FILLS[kind]))
            shown = value_format(value) if value_labels is None else value_labels[i]
        else:
            shown = missing_text
        if thresholds is not None and thresholds[i] is not None:
            tx = plot_left + plot_width * _clamp(thresholds[i])
            parts.append(Markup(
                '<line class="threshold" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
                'stroke-width="2" stroke-dasharray="4 2"/>').format(
                    _n(tx), _n(y + 3), _n(tx), _n(y + row - 3), INK))
        note = shown if annotations is None else f"{shown}  {annotations[i]}"
        parts.append(_text(plot_left + plot_width + 10, mid, [note], size=SMALL))
    axis = Markup('<g class="axis" aria-hidden="true">')
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        axis += _text(plot_left + plot_width * tick, axis_y + 12, [value_format(tick)],
                      anchor="middle", size=SMALL, fill=MUTED)
    parts.append(axis + Markup("</g>"))
    if thresholds is not None:
        parts.append(_legend(plot_left + plot_width / 2, axis_y + 38,
                             [(threshold_label, INK, "4 2", "")]))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    description: str = "",
    id_prefix: str = "lines",
    width: float = 640,
    height: float = 300,
    y_max: float = 1.0,
    threshold: float | None = None,
    value_format: Callable[[float], str] = percent_label,
    threshold_label: str = "Threshold",
) -> Markup:
    """Lines over ordered points (e.g. visits), one per named series.

    A None value leaves a gap in its line.  Series are told apart by dash
    pattern and marker shape as well as colour, and named in a legend.
    """
    for name, points in series:
        if len(points) != len(x_labels):
            raise ValueError(f"line_chart: series {name!r} has {len(points)} points, "
                             f"expected {len(x_labels)}")
    count = len(x_labels)
    # The first and last labels are centred on the plot's edges: leave room for half of
    # each (estimated at 0.6 em a character of the labels) so none is cut off.
    def half(label: str) -> float:
        return max(map(len, wrap_label(label, 14, 2)), default=0) * SMALL * 0.6 / 2 + 4

    left = max(52.0, half(x_labels[0])) if count > 1 else 52.0
    right = max(24.0, half(x_labels[-1])) if count > 1 else 24.0
    top = 16.0
    legend_rows = math.ceil((len(series) + (threshold is not None)) / 3) or 1
    bottom = 44.0 + 20 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom

    def xy(index: int, value: float) -> tuple[float, float]:
        x = left + (plot_w / 2 if count == 1 else plot_w * index / (count - 1))
        return x, top + plot_h * (1 - _clamp(value, y_max) / y_max)

    parts = [_open_svg(id_prefix, width, height, title, description, "chart chart-lines")]
    grid = Markup('<g class="grid" stroke="{}" stroke-width="1">').format(GRID)
    labels = Markup('<g class="axis" aria-hidden="true">')
    for step in range(5):
        tick = y_max * step / 4
        _, y = xy(0, tick)
        grid += Markup('<line x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            _n(left), _n(y), _n(left + plot_w), _n(y))
        labels += _text(left - 8, y, [value_format(tick)], anchor="end", size=SMALL,
                        fill=MUTED)
    for i, label in enumerate(x_labels):
        x, _ = xy(i, 0)
        labels += _text(x, top + plot_h + 16, wrap_label(label, 14, 2), anchor="middle",
                        size=SMALL, line_height=14)
    parts += [grid + Markup("</g>"), labels + Markup("</g>")]
    entries: list[tuple[str, str, str, str]] = []
    if threshold is not None:
        _, ty = xy(0, threshold)
        parts.append(Markup(
            '<line class="threshold" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>').format(
                _n(left), _n(ty), _n(left + plot_w), _n(ty), INK))
        entries.append((threshold_label, INK, "5 4", ""))
    for n, (name, points) in enumerate(series):
        colour, dash, marker = SERIES_STYLES[n % len(SERIES_STYLES)]
        dash_attr = Markup(' stroke-dasharray="{}"').format(dash) if dash else Markup("")
        group = Markup('<g class="series">')
        run: list[tuple[float, float]] = []
        for i, value in [*enumerate(points), (count, None)]:
            if value is not None:
                run.append(xy(i, value))
                continue
            if len(run) > 1:
                group += Markup(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}/>'
                ).format(_points(run), colour, dash_attr)
            run = []
        for i, value in enumerate(points):
            if value is not None:
                x, y = xy(i, value)
                group += _marker(marker, x, y, colour)
        parts.append(group + Markup("</g>"))
        entries.append((name, colour, dash, marker))
    for row in range(legend_rows):
        chunk = entries[row * 3 : row * 3 + 3]
        if chunk:
            parts.append(_legend(left + plot_w / 2, height - 14 - 20 * (legend_rows - 1 - row),
                                 chunk))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
