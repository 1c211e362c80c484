"""The server-side follower chart: well-formed SVG, points in date order, honest with little data."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from creators.charts import (
    NOT_ENOUGH_HISTORY,
    compact_number,
    followers_chart_svg,
    tick_labels,
    y_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"
DAY = datetime.timedelta(days=1)
START = datetime.date(2026, 3, 1)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def polyline_points(root: ET.Element) -> list[tuple[float, float]]:
    line = root.find(f"{SVG}polyline")
    return [tuple(float(n) for n in pair.split(",")) for pair in line.get("points").split()]


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def test_points_are_drawn_in_date_order_whatever_the_input_order():
    series = [(START + 2 * DAY, 1300), (START, 1000), (START + DAY, 1100)]

    root = parse(followers_chart_svg(series))

    points = polyline_points(root)
    assert len(points) == 3
    xs = [x for x, _ in points]
    assert xs == sorted(xs) and len(set(xs)) == 3
    ys = [y for _, y in points]
    assert ys[0] > ys[1] > ys[2]  # more followers, higher on the chart (smaller y)


def test_points_are_placed_by_date_so_gaps_show():
    series = [(START, 100), (START + DAY, 110), (START + 10 * DAY, 120)]

    (x0, _), (x1, _), (x2, _) = polyline_points(parse(followers_chart_svg(series)))

    assert (x2 - x1) == pytest.approx(9 * (x1 - x0), rel=0.01)


def test_chart_has_accessible_title_and_description_and_date_labels():
    series = [(START, 12_000), (START + 30 * DAY, 15_000)]

    root = parse(followers_chart_svg(series, title="Instagram followers"))

    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Instagram followers"
    description = root.find(f"{SVG}desc").text
    assert "12K on Mar 1, 2026" in description and "15K on Mar 31, 2026" in description and "+25.0%" in description
    labels = texts(root)
    assert any(label.startswith("Mar 1") for label in labels)
    assert any(label.startswith("Mar 31") for label in labels)


def test_y_axis_has_a_few_compact_ticks_covering_the_values():
    series = [(START + i * DAY, 1_180_000 + i * 1_000) for i in range(60)]

    root = parse(followers_chart_svg(series))

    tick_texts = [text for text in texts(root) if text[-1] in "KM"]
    assert 3 <= len(tick_texts) <= 7
    assert all(text.endswith("M") for text in tick_texts)
    assert tick_texts[0] == "1.18M"


def test_equal_values_draw_a_flat_line_inside_the_plot():
    series = [(START + i * DAY, 5_000) for i in range(5)]

    root = parse(followers_chart_svg(series, width=400, height=200))

    ys = {y for _, y in polyline_points(root)}
    assert len(ys) == 1
    (y,) = ys
    assert 0 < y < 200
    tick_texts = [text for text in texts(root) if text.endswith("K")]
    assert len(set(tick_texts)) == len(tick_texts) >= 2


@pytest.mark.parametrize("series", [[], [(START, 1000)]])
def test_too_little_history_says_so_instead_of_drawing_a_line(series):
    root = parse(followers_chart_svg(series))

    assert root.find(f"{SVG}polyline") is None
    assert NOT_ENOUGH_HISTORY in texts(root)
    assert root.find(f"{SVG}desc").text == NOT_ENOUGH_HISTORY


def test_text_is_escaped_before_the_markup_is_marked_safe():
    series = [(START, 10), (START + DAY, 20)]

    svg = followers_chart_svg(series, title='<script>alert("x")</script> & co')

    assert "<script>" not in svg
    assert parse(svg).find(f"{SVG}title").text == '<script>alert("x")</script> & co'
    empty = followers_chart_svg([], title="<b>")
    assert "<b>" not in empty and parse(empty).find(f"{SVG}title").text == "<b>"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"), (950, "950"), (1_000, "1K"), (12_345, "12.3K"), (99_960, "100K"), (123_456, "123K"),
        (999_960, "1M"), (1_200_000, "1.2M"), (3_400_000_000, "3.4B"),
    ],
)
def test_compact_numbers(value, text):
    assert compact_number(value) == text


@pytest.mark.parametrize(
    ("low", "high", "labels"),
    [
        (120_000, 130_000, ["120K", "122.5K", "125K", "127.5K", "130K"]),
        (245_000, 246_500, ["245K", "245.5K", "246K", "246.5K"]),
        (999_000, 1_001_000, ["999K", "999.5K", "1000K", "1000.5K", "1001K"]),
        (0, 3, ["0", "1", "2", "3"]),
    ],
)
def test_tick_labels_are_exact_and_round(low, high, labels):
    assert tick_labels(y_ticks(low, high)) == labels


def test_ticks_never_go_below_zero_for_counts():
    assert min(y_ticks(0, 0)) == 0
