"""Log lines never carry a person's phone number or identity-card number: they are masked as the
record is written, whatever wrote it (a database error quotes the row it refused, for one).
Message texts and notes are never logged at all; tests/browser scans every story's log for them."""

import logging
import re

# Mainland mobiles, alone or with +86 / 86, and the 18-character resident identity number. A
# phone may be written with spaces or dashes, or as it stands in a URL's query (the search box's
# ?q=%2B86+138+0013+8000 in a request line): "+" and "%20" for spaces, "%2B" for the plus.
_GAP = r"(?:[-\s+]|%20)?"
PHONE = re.compile(rf"(?<!\d)(?:(?:\+|%2B)?86{_GAP})?(1[3-9]\d){_GAP}(\d{{4}}){_GAP}(\d{{4}})(?!\d)", re.IGNORECASE)
IDENTITY_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_personal_data(text: str) -> str:
    text = IDENTITY_CARD.sub(r"\1********\2", text)
    return PHONE.sub(r"\1****\3", text)


class PersonalDataFilter(logging.Filter):
    """Masks phones and identity numbers in the message and in the traceback's text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True
