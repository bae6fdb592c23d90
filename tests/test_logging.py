"""Log lines are written with phones and identity numbers masked, tracebacks included."""

import logging
import sys

import pytest

from accounts.logging import PersonalDataFilter, mask_personal_data


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("call 13800138000 now", "call 138****8000 now"),
        ("+86 138-0013-8000", "138****8000"),
        ("8613800138000", "138****8000"),
        ("id 11010519491231002X ok", "id 110105********002X ok"),
        ("order 202611230000000012345", "order 202611230000000012345"),  # not a phone: too long
        ("case LP-000042", "case LP-000042"),
        # A search's request line: the number as a URL's query writes it.
        (
            '"GET /search/?q=%2B86+138+0013+8000&purpose=contact HTTP/1.1" 200',
            '"GET /search/?q=138****8000&purpose=contact HTTP/1.1" 200',
        ),
        ("/search/?q=138%200013%208000", "/search/?q=138****8000"),
    ],
)
def test_phones_and_identity_numbers_are_masked(raw, masked):
    assert mask_personal_data(raw) == masked


def test_the_filter_masks_the_message_its_arguments_and_the_traceback():
    try:
        raise ValueError("duplicate key value violates unique constraint DETAIL: Key (value)=(13912345678)")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "buyer %s", ("13800138000",), sys.exc_info())
    PersonalDataFilter().filter(record)
    line = logging.Formatter().format(record)
    assert "13800138000" not in line
    assert "13912345678" not in line
    assert "138****8000" in line
    assert "139****5678" in line


def test_production_logging_as_configured_masks_what_a_process_writes():
    """The LOGGING a production process starts with (the test settings replace it), in a process
    of its own: a message, its arguments and a traceback, written to the console handler."""
    from tests.test_settings_and_services import PROD_ENV, _manage

    code = (
        "import logging\n"
        "log = logging.getLogger('interventions.services')\n"
        "log.warning('buyer %s wrote again', '13800138000')\n"
        "try:\n"
        "    raise ValueError('Key (value)=(13912345678) already exists')\n"
        "except ValueError:\n"
        "    log.exception('intake failed for 11010519491231002X')\n"
    )
    result = _manage("shell", "-c", code, env=PROD_ENV)
    assert result.returncode == 0, result.stderr
    written = result.stderr
    assert "buyer 138****8000 wrote again" in written
    assert "intake failed for 110105********002X" in written
    assert "Key (value)=(139****5678)" in written  # the traceback too
    for raw in ("13800138000", "13912345678", "11010519491231002X"):
        assert raw not in written
