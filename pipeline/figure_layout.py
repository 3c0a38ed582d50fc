"""The layout of every figure, in its language: texts that fit by construction, and the check that they do.

`arrange(fig)` runs after a figure's texts are translated (pipeline/figures.py). The width is fixed (a text column,
style.FIGURE_WIDTH_IN); the height follows what the texts of that language need, so each row of panels keeps its
height (style.PANEL_HEIGHT_IN or the chart's own) in every language:

- the title, the unit line under it and the source line wrap to the figure's width; a panel's title wraps to the
  panel's width, an axis label to its axis;
- the legend sits below the plot, outside the data, in as many columns as fit (its entries wrap when one alone is
  wider than the figure);
- tick labels stay horizontal: an axis whose labels would touch shows fewer of them (every second, fourth...
  period, counted back from the last, so the latest period is always labelled and semesters keep their month);
- the margins are measured from what each panel draws around it (tick labels, titles), so nothing leaves the canvas;
- axis limits leave room for whole markers at the edges;
- labels of points (style.PointLabel) go beside their point where they cover no point, text or other label, and
  stay inside the panel; a label moved away from its point is joined to it by a thin leader line.

`problems(fig)` lists what a reader would see as broken: a text leaving the canvas, two texts overlapping, a legend
covering a drawn point, a marker cut at a panel's edge, a label covering another point. The figures stage refuses
to save a figure with any (pipeline/figures.py), and tests/test_figure_layout.py checks every figure in every language.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from matplotlib.category import StrCategoryLocator
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FixedLocator, MaxNLocator
from matplotlib.transforms import Bbox

from pipeline import style

PAD_IN = 0.08  # around the canvas
GAP_IN = 0.10  # between the blocks (title, unit, plot, legend, source)
PANEL_GAP_IN = 0.15  # between panels, beyond their labels
TICK_GAP_IN = 0.10  # the least space between two tick labels: about a character of the tick font (0.05, half of
# that, let fig-21's six semester labels read as one string at print size)
TOLERANCE_PX = 0.5  # at 100 dpi: what the checks forgive (anti-aliasing, rounding)
LABEL_DISTANCES = (4, 9, 16, 26, 38)  # points from its point a label may sit; beyond the first, with a leader line
LABEL_CLEARANCE_PX = 2.5  # the least space between a label and a marker or another text


@dataclass(frozen=True)
class Margins:
    """What the panels draw outside their data areas, in inches: per column (left, right) and per row (top,
    bottom), so a row whose panels have two-line titles does not push the other rows apart."""
    left: tuple[float, ...]
    right: tuple[float, ...]
    top: tuple[float, ...]
    bottom: tuple[float, ...]


# ------------------------------------------------------------------------------------- Arrange ---

def arrange(fig: Figure) -> None:
    """Lay out a figure made with style.figure() for the language its texts are in (see the module's doc)."""
    frame = fig.briefing
    renderer = fig._get_renderer()
    width = fig.get_figwidth()
    _unlabelled_axes_stay_put(fig)
    for name in ("title", "unit", "source"):
        if name in frame:
            wrap(frame[name], width - 2 * PAD_IN, renderer)
    legend_height = _arrange_legend(fig, width - 2 * PAD_IN, renderer)
    top_block = PAD_IN + sum(_height(frame[name], renderer) + GAP_IN for name in ("title", "unit") if name in frame)
    bottom_block = PAD_IN + (_height(frame["source"], renderer) if "source" in frame else 0) + GAP_IN
    bottom_block += legend_height + GAP_IN if legend_height else 0
    rows, columns = fig.briefing["rows"], fig.briefing["columns"]
    margins = Margins((0.5,) * columns, (0.1,) * columns, (0.2,) * rows, (0.3,) * rows)
    for _ in range(4):  # the margins depend on the ticks, which depend on the panels' size: settles in 2-3 rounds
        height = _place_panels(fig, margins, top_block, bottom_block)
        for axes in fig.axes:
            _make_room_for_markers(axes)
            _thin_ticks(axes, renderer)
            for title in (axes.title, axes._left_title, axes._right_title):
                wrap(title, axes.bbox.width / fig.dpi, renderer)
            wrap(axes.yaxis.label, axes.bbox.height / fig.dpi, renderer)
        measured = _margins(fig, renderer)
        if measured == margins:
            break
        margins = measured
    _place_frame(fig, height, renderer)
    for axes in fig.axes:
        place_point_labels(axes, renderer)


def _unlabelled_axes_stay_put(fig: Figure) -> None:
    """An axis without a label needs no place for one. matplotlib otherwise places the (empty) label at every
    measurement and drawing, and for an axis shared with other panels, past the tick labels of every one of them: the
    31 panels of fig-01 measured 31 × 31 panels' tick labels each time, a sixth of the figure's time in each
    language. An empty label draws nothing and takes no room in a panel's extent, wherever it is."""
    for axes in fig.axes:
        for axis in (axes.xaxis, axes.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(0, 0)


def wrap(text: Text, width_in: float, renderer) -> None:
    """Break a text's words into lines no wider than `width_in` (its rotation taken into account)."""
    words = text.get_text().replace("\n", " ").split(" ")
    if not "".join(words):
        return
    limit = width_in * text.figure.dpi
    lines: list[str] = []
    for word in words:
        candidate = f"{lines[-1]} {word}" if lines else word
        text.set_text(candidate)
        if lines and _extent(text, renderer) > limit:
            lines.append(word)
        elif lines:
            lines[-1] = candidate
        else:
            lines.append(word)
    text.set_text("\n".join(lines))


def _extent(text: Text, renderer) -> float:
    """How far a text runs along its own direction, in pixels."""
    box = text.get_window_extent(renderer)
    return box.height if abs(text.get_rotation() % 180 - 90) < 1 else box.width


def _height(text: Text, renderer) -> float:
    return text.get_window_extent(renderer).height / text.figure.dpi


def _arrange_legend(fig: Figure, width_in: float, renderer) -> float:
    """The legend below the plot in as many columns as fit the width; returns its height in inches."""
    legend = fig.briefing.get("legend")
    if legend is None:
        return 0.0
    labels = [text.get_text() for text in legend.get_texts()]
    handles = fig.briefing["legend_handles"]
    for columns in range(len(labels), 0, -1):
        legend.remove()
        legend = fig.legend(handles=handles, labels=labels, ncols=columns, **style.LEGEND)
        if legend.get_window_extent(renderer).width <= width_in * fig.dpi:
            break
    else:  # one entry alone is wider than the figure: its text wraps (beside its handle, about half an inch)
        for text in legend.get_texts():
            wrap(text, width_in - 0.5, renderer)
    fig.briefing["legend"] = legend
    return legend.get_window_extent(renderer).height / fig.dpi


def _make_room_for_markers(axes) -> None:
    """Widen a panel's limits where a marker at the edge would be cut (limits a chart sets on purpose, such as 0
    to 100, stay when the markers already fit)."""
    box = axes.bbox
    missing = np.zeros(4)  # pixels missing at the left, right, bottom and top
    for line in _data_lines(axes):
        radius = _marker_radius(line) + 1
        for x, y in _display_points(axes, line):
            missing = np.maximum(missing, [box.x0 - (x - radius), x + radius - box.x1,
                                           box.y0 - (y - radius), y + radius - box.y1])
    if not (missing > 0).any():
        return
    left, right, bottom, top = np.maximum(missing, 0)
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    x_per_px, y_per_px = (x1 - x0) / box.width, (y1 - y0) / box.height
    axes.set_xlim(x0 - left * x_per_px, x1 + right * x_per_px)
    axes.set_ylim(y0 - bottom * y_per_px, y1 + top * y_per_px)


def _place_panels(fig: Figure, margins: Margins, top_block: float, bottom_block: float) -> float:
    """Size the figure so every row of panels is its panel height, with the margins given, and place each panel;
    returns the figure's height in inches."""
    rows, columns = fig.briefing["rows"], fig.briefing["columns"]
    panel_height, width = fig.briefing["panel_height"], fig.get_figwidth()
    height = (top_block + sum(margins.top) + rows * panel_height + sum(margins.bottom) + (rows - 1) * PANEL_GAP_IN
              + bottom_block)
    panel_width = (width - 2 * PAD_IN - sum(margins.left) - sum(margins.right) - (columns - 1) * PANEL_GAP_IN) / columns
    fig.set_figheight(height)
    for axes in fig.axes:
        spec = axes.get_subplotspec()
        row, column = spec.rowspan.start, spec.colspan.start
        x0 = (PAD_IN + sum(margins.left[:column + 1]) + sum(margins.right[:column])
              + column * (panel_width + PANEL_GAP_IN))
        top = (height - top_block - sum(margins.top[:row + 1]) - sum(margins.bottom[:row])
               - row * (panel_height + PANEL_GAP_IN))
        axes.set_position([x0 / width, (top - panel_height) / height, panel_width / width, panel_height / height])
    return height


def _margins(fig: Figure, renderer) -> Margins:
    """What the panels draw outside their data areas (ticks, labels, titles), rounded up to 1/100 inch."""
    rows, columns = fig.briefing["rows"], fig.briefing["columns"]
    left, right, top, bottom = [0.0] * columns, [0.0] * columns, [0.0] * rows, [0.0] * rows
    for axes in fig.axes:
        spec = axes.get_subplotspec()
        row, column = spec.rowspan.start, spec.colspan.start
        tight, box = axes.get_tightbbox(renderer), axes.bbox
        left[column] = max(left[column], (box.x0 - tight.x0) / fig.dpi)
        right[column] = max(right[column], (tight.x1 - box.x1) / fig.dpi)
        top[row] = max(top[row], (tight.y1 - box.y1) / fig.dpi)
        bottom[row] = max(bottom[row], (box.y0 - tight.y0) / fig.dpi)

    def inches(values: list[float]) -> tuple[float, ...]:
        return tuple(float(np.ceil(value * 100) / 100) for value in values)

    return Margins(inches(left), inches(right), inches(top), inches(bottom))


def _thin_ticks(axes, renderer) -> None:
    """Fewer tick labels on an axis whose labels would touch; they stay horizontal."""
    for axis in (axes.xaxis, axes.yaxis):
        locator = axis.get_major_locator()
        if isinstance(locator, StrCategoryLocator) or getattr(axis, "briefing_positions", None) is not None:
            positions = getattr(axis, "briefing_positions", None)
            if positions is None:
                positions = axis.briefing_positions = sorted(locator())
            for step in (1, *range(2, len(positions) + 1, 2)):  # even steps: semesters keep their month
                axis.set_major_locator(FixedLocator(positions[::-1][::step][::-1]))
                if not _ticks_touch(axis, renderer):
                    break
        elif axis is axes.xaxis and _ticks_touch(axis, renderer):
            whole = all(float(loc).is_integer() for loc in locator())
            for bins in range(8, 0, -1):
                axis.set_major_locator(MaxNLocator(nbins=bins, steps=[1, 2, 5, 10], integer=whole))
                if not _ticks_touch(axis, renderer):
                    break


def _ticks_touch(axis, renderer) -> bool:
    boxes = [label.get_window_extent(renderer) for label in _tick_labels(axis)]
    gap = TICK_GAP_IN * axis.figure.dpi
    if axis.axis_name == "x":
        spans = sorted((box.x0, box.x1) for box in boxes)
    else:
        spans = sorted((box.y0, box.y1) for box in boxes)
    return any(nxt[0] - end < gap for (_, end), nxt in zip(spans, spans[1:]))


def _tick_labels(axis) -> list[Text]:
    """The tick labels an axis draws: ticks inside its view, with a text."""
    return [tick.label1 for tick in axis._update_ticks()
            if tick.label1.get_visible() and tick.label1.get_text().strip()]


def _place_frame(fig: Figure, height: float, renderer) -> None:
    """Title and unit line at the top left, the legend under the panels' labels, the source line at the bottom."""
    frame, width = fig.briefing, fig.get_figwidth()
    y = height - PAD_IN
    for name in ("title", "unit"):
        if name in frame:
            frame[name].set_position((PAD_IN / width, y / height))
            y -= _height(frame[name], renderer) + GAP_IN
    if "source" in frame:
        frame["source"].set_position((PAD_IN / width, PAD_IN / height))
        frame["source"].set_verticalalignment("bottom")
    if "legend" in frame:
        lowest = min(axes.get_tightbbox(renderer).y0 for axes in fig.axes) / fig.dpi
        frame["legend"].set_bbox_to_anchor((PAD_IN / width, (lowest - GAP_IN) / height), transform=fig.transFigure)


# --------------------------------------------------------------------------------- Point labels ---

def place_point_labels(axes, renderer) -> None:
    """Put each point label beside its point: inside the panel, off every marker, text and label placed before it;
    of the places left, the nearest (right first) that crosses no line and is nearer its own point than any other.
    A label that sits away from its point is joined to it by a leader line."""
    labels = sorted((text for text in axes.texts if isinstance(text, style.PointLabel)), key=lambda t: t.xy)
    if not labels:
        return
    markers = [(point, _marker_box(axes, line, point).padded(LABEL_CLEARANCE_PX))
               for line in _data_lines(axes) for point in _display_points(axes, line)]
    lines = [_display_points(axes, line) for line in _data_lines(axes) if line.get_linestyle() not in ("None", "none")]
    references = [line.get_transform().transform(line.get_xydata()) for line in axes.lines
                  if line not in _data_lines(axes)]  # lines across the panel: a date marked (fig-30's law)
    lines += references
    taken = [_text_box(text, renderer).padded(LABEL_CLEARANCE_PX) for text in axes.texts
             if not isinstance(text, style.PointLabel)]
    boxes: dict = {}  # (label, place) -> where its letters are there: measured once, as nothing else moves meanwhile
    labels.sort(key=lambda label: _room(axes, label, renderer, markers, taken, boxes))  # the most hemmed in first
    placed: dict = {}
    for _ in range(3):  # each label placed again with all the others in place: a label placed early may move
        for label in labels:
            placed.pop(label, None)
            best = _best_place(axes, label, renderer, markers, lines, taken + list(placed.values()), boxes,
                               references)
            _move(label, *best)
            label.arrow_patch.set_visible(best[0] > LABEL_DISTANCES[0])
            placed[label] = _box_at(label, best, renderer, boxes).padded(LABEL_CLEARANCE_PX)


def _room(axes, label, renderer, markers, taken, boxes: dict) -> int:
    """How many of a label's places are free (inside the panel, off markers and other texts)."""
    own = _display(axes, label.xy)
    obstacles = [box for point, box in markers if not np.allclose(point, own)] + taken
    free = 0
    for distance, (dx, dy, ha, va) in itertools.product(LABEL_DISTANCES, _DIRECTIONS):
        box = _box_at(label, (distance, dx, dy, ha, va), renderer, boxes)
        free += _within(box, axes.bbox) and not any(_overlap(box, other) for other in obstacles)
    return free


def _best_place(axes, label, renderer, markers, lines, taken, boxes: dict, references=()) -> tuple:
    """The label's place: off markers and texts, then the first free of these, in order: crossing no line and on its
    point's side of every reference line (a label across a date's line reads as a point on its other side), not
    nearer another point, its leader crossing no text."""
    own = _display(axes, label.xy)
    others = [(point, box) for point, box in markers if not np.allclose(point, own)]
    obstacles = [box for _, box in others] + taken
    best, best_score = (LABEL_DISTANCES[0], *_DIRECTIONS[0]), None
    for rank, (distance, (dx, dy, ha, va)) in enumerate(itertools.product(LABEL_DISTANCES, _DIRECTIONS)):
        box = _box_at(label, (distance, dx, dy, ha, va), renderer, boxes)
        if not _within(box, axes.bbox) or any(_overlap(box, other) for other in obstacles):
            continue
        ambiguous = _nearer_other(box, own, [point for point, _ in others])
        leader = np.array([own, np.clip(own, [box.x0, box.y0], [box.x1, box.y1])])
        tangled = any(_crosses(other, leader) for other in taken)
        across = any(_crosses(box, points) for points in lines) \
            or any(_apart(own, box, points) for points in references)
        score = (across, ambiguous, tangled, rank)
        if best_score is None or score < best_score:
            best, best_score = (distance, dx, dy, ha, va), score
        if not any(score[:3]):
            break
    return best


def _move(label, distance: float, dx: float, dy: float, ha: str, va: str) -> None:
    label.xyann = (dx * distance, dy * distance)
    label.set_horizontalalignment(ha)
    label.set_verticalalignment(va)


def _box_at(label, place: tuple, renderer, boxes: dict) -> Bbox:
    """Where a label's letters are when it sits at `place` (distance, direction), kept in `boxes`. A label's box
    depends only on its point, its text and its alignment, which do not change while labels are placed, and its
    offset from the point, which moves the box and nothing else: so it is measured once per alignment (moving the
    label there), and at another distance in the same direction it is that box moved by the difference (points to
    pixels: dpi / 72). Measuring each of the 40 places took most of a labelled figure's layout."""
    if (label, place) not in boxes:
        distance, dx, dy, ha, va = place
        measured = (label, ha, va)
        if measured not in boxes:
            _move(label, *place)
            boxes[measured] = (_text_box(label, renderer), dx * distance, dy * distance)
            boxes[label, place] = boxes[measured][0]
        else:
            box, x_points, y_points = boxes[measured]
            scale = label.figure.dpi / 72
            boxes[label, place] = box.translated((dx * distance - x_points) * scale, (dy * distance - y_points) * scale)
    return boxes[label, place]


def _nearer_other(box: Bbox, own, others) -> bool:
    """Whether a reader could take a label for another point's: one as near as its own to the end of the label
    that faces its own point."""
    anchor = np.clip(own, [box.x0, box.y0], [box.x1, box.y1])
    mine = np.hypot(*(np.asarray(own) - anchor))
    return any(np.hypot(*(np.asarray(point) - anchor)) < mine + 2 for point in others)


# Directions a label may take from its point: (dx, dy, horizontal, vertical alignment); right first.
_DIRECTIONS = ((1, 0, "left", "center"), (-1, 0, "right", "center"), (0.7, 0.7, "left", "bottom"),
               (0.7, -0.7, "left", "top"), (-0.7, 0.7, "right", "bottom"), (-0.7, -0.7, "right", "top"),
               (0, 1, "center", "bottom"), (0, -1, "center", "top"))


def _crosses(box: Bbox, points: np.ndarray) -> bool:
    """Whether a polyline (display points) passes through a box: a vertex inside, or a segment across it."""
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        steps = max(2, int(np.hypot(x1 - x0, y1 - y0) / 2))
        xs, ys = np.linspace(x0, x1, steps), np.linspace(y0, y1, steps)
        if ((xs > box.x0) & (xs < box.x1) & (ys > box.y0) & (ys < box.y1)).any():
            return True
    return False


def _apart(own, box: Bbox, points: np.ndarray) -> bool:
    """Whether a polyline (display points) runs between a point and its label's box: it cuts the segment from the
    point to the box's centre."""
    centre = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
    return any(_segments_cut(own, centre, start, end) for start, end in zip(points, points[1:]))


def _segments_cut(a, b, c, d) -> bool:
    """Whether segments a-b and c-d cross (touching at an end counts)."""
    def side(p, q, r) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return side(a, b, c) * side(a, b, d) <= 0 and side(c, d, a) * side(c, d, b) <= 0


# ----------------------------------------------------------------------------------- Geometry ---

def _data_lines(axes) -> list[Line2D]:
    """The lines that draw data (not reference lines across the panel, not empty legend entries)."""
    return [line for line in axes.lines if line.get_transform() is axes.transData and len(line.get_xdata())]


def _display_points(axes, line: Line2D) -> np.ndarray:
    xs, ys = line.get_xdata(), line.get_ydata()
    if len(xs) and isinstance(xs[0], str):
        xs = axes.xaxis.convert_units(xs)
    points = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
    points = points[~np.isnan(points).any(axis=1)]
    return axes.transData.transform(points) if len(points) else np.zeros((0, 2))


def _display(axes, xy) -> tuple[float, float]:
    x, y = xy
    if isinstance(x, str):
        x = axes.xaxis.convert_units(x)
    return tuple(axes.transData.transform((float(x), float(y))))


def _marker_radius(line: Line2D) -> float:
    """Half a marker's size in pixels (0 for a line without markers)."""
    if line.get_marker() in (None, "None", "none", "", " "):
        return 0.0
    return (line.get_markersize() + line.get_markeredgewidth()) / 2 * line.figure.dpi / 72


def _marker_box(axes, line: Line2D, point) -> Bbox:
    radius = max(_marker_radius(line), line.get_linewidth() * line.figure.dpi / 72)
    x, y = point
    return Bbox([[x - radius, y - radius], [x + radius, y + radius]])


def _text_box(text: Text, renderer) -> Bbox:
    """Where a text's letters are (an annotation's leader line left out)."""
    if isinstance(text, Annotation):
        text.update_positions(renderer)
    return Text.get_window_extent(text, renderer)


def _centre(box: Bbox) -> tuple[float, float]:
    return ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)


def _overlap(a: Bbox, b: Bbox, tolerance: float = TOLERANCE_PX) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance)


def _within(inner: Bbox, outer: Bbox, tolerance: float = TOLERANCE_PX) -> bool:
    return (inner.x0 >= outer.x0 - tolerance and inner.x1 <= outer.x1 + tolerance
            and inner.y0 >= outer.y0 - tolerance and inner.y1 <= outer.y1 + tolerance)


# ------------------------------------------------------------------------------------- Checks ---

def texts(fig: Figure) -> list[tuple[str, Text]]:
    """Every text a reader sees on the figure, with what it is: titles, labels, tick labels, legend entries,
    annotations and the source line."""
    found: list[tuple[str, Text]] = [("figure text", text) for text in fig.texts]
    for legend in fig.legends:
        found += [("legend", text) for text in legend.get_texts()]
    for axes in fig.axes:
        found += [("panel title", title) for title in (axes.title, axes._left_title, axes._right_title)]
        found += [("x label", axes.xaxis.label), ("y label", axes.yaxis.label)]
        found += [("x tick", label) for label in _tick_labels(axes.xaxis)]
        found += [("y tick", label) for label in _tick_labels(axes.yaxis)]
        # Above the panel, where its title sits without looking (style: axes.titley): top tick labels, offset texts.
        found += [("x tick", tick.label2) for tick in axes.xaxis._update_ticks() if tick.label2.get_visible()]
        found += [("offset text", axis.offsetText) for axis in (axes.xaxis, axes.yaxis)]
        found += [("label" if isinstance(text, style.PointLabel) else "annotation", text) for text in axes.texts]
        if axes.get_legend() is not None:
            found += [("legend", text) for text in axes.get_legend().get_texts()]
    return [(kind, text) for kind, text in found if text.get_visible() and text.get_text().strip()]


def problems(fig: Figure) -> list[str]:
    """What a reader would see as broken, in words naming the texts (empty when the figure is clean): a text off
    the canvas, two texts overlapping, a rotated tick label, an axis label longer than its axis, a legend over a
    drawn point or line, a marker cut at its panel's edge, a point label over another point."""
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    boxes = [(kind, text, _text_box(text, renderer)) for kind, text in texts(fig)]
    found = [f"{kind} {_quote(text)} leaves the canvas ({_outside(box, fig.bbox)})"
             for kind, text, box in boxes if not _within(box, fig.bbox)]
    found += [f"{kind_a} {_quote(a)} overlaps {kind_b} {_quote(b)}"
              for (kind_a, a, box_a), (kind_b, b, box_b) in itertools.combinations(boxes, 2) if _overlap(box_a, box_b)]
    found += [f"{kind} {_quote(text)} is rotated ({text.get_rotation():g}°)"
              for kind, text, _ in boxes if kind.endswith("tick") and text.get_rotation() % 360]
    for axes in fig.axes:
        found += _labels_past_axes(axes, renderer)
        found += _points_hidden(axes, renderer, boxes)
    return found


def _labels_past_axes(axes, renderer) -> list[str]:
    """An axis label that runs beyond the length of its axis (it reads as belonging to nothing)."""
    found = []
    box = axes.bbox
    for kind, label, (low, high), span in (("x label", axes.xaxis.label, (box.x0, box.x1), lambda b: (b.x0, b.x1)),
                                           ("y label", axes.yaxis.label, (box.y0, box.y1), lambda b: (b.y0, b.y1))):
        if label.get_visible() and label.get_text().strip():
            start, end = span(_text_box(label, renderer))
            if start < low - TOLERANCE_PX or end > high + TOLERANCE_PX:
                found.append(f"{kind} {_quote(label)} runs past its axis")
    return found


def _points_hidden(axes, renderer, boxes) -> list[str]:
    """Legends over drawn points or lines, markers cut at the panel's edge, point labels over other points."""
    found = []
    legends = [legend.get_window_extent(renderer) for legend in
               [*axes.figure.legends, *([axes.get_legend()] if axes.get_legend() is not None else [])]]
    labels = [(text, box) for kind, text, box in boxes if kind == "label" and text.axes is axes]
    for line in _data_lines(axes):
        points = _display_points(axes, line)
        radius = _marker_radius(line)
        for legend in legends:
            if line.get_linestyle() not in ("None", "none") and _crosses(legend, points):
                found.append(f"the legend covers a line through {_data_point(axes, points[0])}")
        for point in points:
            where = _data_point(axes, point)
            found += [f"the legend covers the point {where}" for legend in legends if legend.contains(*point)]
            marker = _marker_box(axes, line, point)
            if radius and line.get_clip_on() and not _within(marker, axes.bbox):
                found.append(f"the marker at {where} is cut at the edge of its panel")
            found += [f"label {_quote(text)} covers the point {where}" for text, box in labels
                      if _overlap(box, marker) and not np.allclose(_display(axes, text.xy), point)]
    return found


def _quote(text: Text) -> str:
    return repr(text.get_text().replace("\n", " "))


def _outside(box: Bbox, canvas: Bbox) -> str:
    sides = {"left": canvas.x0 - box.x0, "right": box.x1 - canvas.x1, "bottom": canvas.y0 - box.y0,
             "top": box.y1 - canvas.y1}
    return ", ".join(f"{side} by {amount:.0f} px" for side, amount in sides.items() if amount > TOLERANCE_PX)


def _data_point(axes, point) -> str:
    x, y = np.round(axes.transData.inverted().transform(point), 6) + 0.0
    return f"({x:g}, {y:g})"
