"""Messages with the scanner's matches marked, for the queue and the alert page."""

from django.template import Library
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

register = Library()


def _spans(matches: list[dict], message_id: int, length: int) -> list[tuple[int, int]]:
    """The matched spans of one message, overlapping ones merged, clipped to the text."""
    spans = sorted((max(0, m["start"]), min(length, m["end"])) for m in matches if m.get("message_id") == message_id)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif start < end:
            merged.append((start, end))
    return merged


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> SafeString:
    parts, cursor = [], start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(conditional_escape(text[cursor:span_start]))
        parts.append(format_html("<mark>{}</mark>", text[span_start:span_end]))
        cursor = span_end
    parts.append(conditional_escape(text[cursor:end]))
    # Every part is escaped (conditional_escape) or built by format_html.
    return format_html_join("", "{}", ((part,) for part in parts))


@register.simple_tag
def message_marked(message, matches: list[dict]) -> SafeString:
    """The whole message, its matched terms marked."""
    return _marked(message.text, _spans(matches, message.pk, len(message.text)), 0, len(message.text))


@register.simple_tag
def alert_excerpt(alert, width: int = 60) -> SafeString:
    """A short excerpt around the first match of the alert's messages (prefetched), marked."""
    messages = list(alert.messages.all())
    if not messages:
        return SafeString("")
    by_id = {message.pk: message for message in messages}
    first = next((m for m in alert.matches if m.get("message_id") in by_id), None)
    message = by_id[first["message_id"]] if first else messages[0]
    text = message.text
    spans = _spans(alert.matches, message.pk, len(text))
    start = max(0, (spans[0][0] if spans else 0) - width // 3)
    end = min(len(text), start + width)
    body = _marked(text, spans, start, end)
    return format_html("{}{}{}", "…" if start > 0 else "", body, "…" if end < len(text) else "")
