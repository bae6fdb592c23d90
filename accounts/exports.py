"""Files that take data out of the portal. One shape for all of them: an attachment that no cache
keeps; CSV with a byte-order mark so that spreadsheet programs read the Chinese as UTF-8."""

import csv
import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse


def csv_download(filename: str, rows: Iterable[Iterable]) -> HttpResponse:
    response = HttpResponse("\ufeff", content_type="text/csv; charset=utf-8")
    csv.writer(response).writerows(rows)
    return _as_attachment(response, filename)


def json_download(filename: str, data) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    return _as_attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), filename)


def _as_attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
