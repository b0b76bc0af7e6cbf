"""Geometry of the clustering-curve chart (score against the number of services).

Computed here so the HTML template only writes SVG elements, and the picture needs no
script: it shows even where the page's JavaScript does not run.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.report.content import Curve

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36
SERIES_COLORS = ("#2563eb", "#94a3b8", "#f59e0b", "#10b981")
MAX_SERIES = 4


@dataclass(frozen=True, slots=True)
class Dot:
    k: int
    value: float
    x: float
    y: float
    chosen: bool


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    color: str
    points: str  # SVG polyline "x,y x,y ..."
    dots: tuple[Dot, ...]


@dataclass(frozen=True, slots=True)
class Tick:
    label: str
    pos: float


@dataclass(frozen=True, slots=True)
class CurveChart:
    width: int
    height: int
    left: int
    right: int  # x of the right edge of the plot area
    top: int
    bottom: int  # y of the x axis
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    chosen_x: float | None


def _numeric_series(curve: Curve) -> list[tuple[str, list[tuple[int, float]]]]:
    out = [("score", [(p.k, p.score) for p in curve.points if p.score is not None])]
    extra_keys = sorted({k for p in curve.points for k, v in p.extra if _is_number(v)})
    for key in extra_keys:
        out.append((key, [(p.k, float(v)) for p in curve.points for k, v in p.extra if k == key and _is_number(v)]))
    return [(name, pts) for name, pts in out if pts][:MAX_SERIES]


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def curve_chart(curve: Curve) -> CurveChart | None:
    """The chart of ``curve``, or None when it has fewer than two points to draw."""
    series = _numeric_series(curve)
    if not series or max(len(pts) for _, pts in series) < 2:
        return None
    ks = sorted({k for _, pts in series for k, _ in pts})
    values = [v for _, pts in series for _, v in pts]
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    kmin, kmax = ks[0], ks[-1]

    def x(k: int) -> float:
        return round(LEFT + (k - kmin) / (kmax - kmin) * (right - LEFT), 1) if kmax > kmin else (LEFT + right) / 2

    def y(v: float) -> float:
        return round(bottom - (v - lo) / (hi - lo) * (bottom - TOP), 1)

    out = []
    for i, (name, pts) in enumerate(series):
        dots = tuple(Dot(k, v, x(k), y(v), k == curve.marked) for k, v in sorted(pts))
        out.append(Series(name, SERIES_COLORS[i], " ".join(f"{d.x},{d.y}" for d in dots), dots))
    step = max(1, len(ks) // 12)
    x_ticks = tuple(Tick(str(k), x(k)) for k in ks[::step])
    y_ticks = tuple(Tick(f"{lo + (hi - lo) * i / 4:.2f}", y(lo + (hi - lo) * i / 4)) for i in range(5))
    return CurveChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        series=tuple(out),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        chosen_x=x(curve.marked) if curve.marked in ks else None,
    )


__all__ = ["CurveChart", "curve_chart"]
