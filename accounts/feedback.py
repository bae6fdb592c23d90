"""How a page tells a person what was wrong with what they sent."""

from django import forms


def form_errors_text(form: forms.Form) -> str:
    """Every error of a form on one line, each after its field's label, for a flash message."""
    return "; ".join(
        f"{(form.fields[name].label or '') if name in form.fields else ''} {' '.join(map(str, errors))}".strip()
        for name, errors in form.errors.items()
    )
