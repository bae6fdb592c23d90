"""What a search that can find a person leaves behind: a line in the access log for each person it
showed, with the purpose the searcher gave (interventions.selectors.search says which searches
can find a person). Like a reveal, the log names the person by their account and says how they
were found; it never holds what was typed, which may be a phone number.
"""

from django.utils.translation import gettext as _

from accounts.models import AccessLog, User
from accounts.refusals import Invalid
from accounts.services import access_record, access_records

from ..selectors.search import SearchQuery, SearchResults

# Why one looks a person up. A search reads the reader's own desks only, so never the emergency
# outside them (break-glass has its own page).
SEARCH_PURPOSES = [value for value in AccessLog.Purpose.values if value != AccessLog.Purpose.EMERGENCY]


def search_purpose_ensure(*, query: SearchQuery, purpose: str) -> None:
    """Raise Invalid unless `purpose` is one a search may give, when the search can find a person.
    Checked before the search runs, so that nothing about a person is read without one."""
    if query.finds_people and purpose not in SEARCH_PURPOSES:
        raise Invalid(_("Choose why you are looking this person up: the search is written in the access log."))


def search_record(*, by: User, results: SearchResults, purpose: str, address: str | None = None) -> list[AccessLog]:
    """Write a search that could find a person in the access log: one entry per person the page
    shows ("tb_lin_0915 (search: phone)"), or, when it found no one, one entry for the search that
    says only what it was looked for as. A search that cannot find a person (a case reference) is
    not written: opening the case is. Raises Invalid, and writes nothing, without a purpose."""
    query = results.query
    if not query.finds_people:
        return []
    search_purpose_ensure(query=query, purpose=purpose)
    people = results.people_shown
    if people:
        read = [(person.buyer, f"{person.buyer.account_ref} (search: {person.found_by})") for person in people]
        return access_records(user=by, action=AccessLog.Action.SEARCH, purpose=purpose, read=read, address=address)
    asked = ", ".join(kind for kind, asked in (("phone", query.phone), ("nickname", query.words)) if asked)
    entry = access_record(
        user=by,
        action=AccessLog.Action.SEARCH,
        purpose=purpose,
        object_type="search",
        object_label=f"search: account, order{', ' + asked if asked else ''}; nobody found",
        address=address,
    )
    return [entry]
