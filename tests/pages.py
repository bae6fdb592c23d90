"""Reading a page in a test that pins its queries: a query count means nothing for a page that did not
render (a 404 runs few queries), so every pin also checks the answer and something the page shows.
And reading a page as a person meets it: a section's text, the forms it offers, a choice's options."""

from html.parser import HTMLParser


def shown(response, *texts: str) -> str:
    """The page's text, once it answered 200 and shows each of `texts`."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    missing = [text for text in texts if text not in body]
    assert not missing, f"the page does not show {missing}"
    return body


# Elements that have no end tag: they open nothing for the parser below to close.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Page(HTMLParser):
    """What a test reads of a page as a person meets it: the text of the elements with one
    data-testid, the forms that post from the page's content, the inputs' values and the
    selects' options."""

    def __init__(self, body: str, testid: str = "") -> None:
        super().__init__()
        self.testid = testid
        self.texts: list[str] = []
        self.post_forms: list[str] = []
        self.selects: dict[str, list[tuple[str, bool]]] = {}
        self.inputs: dict[str, str] = {}
        self._inside = 0  # depth inside an element with the testid
        self._parts: list[str] = []
        self._main = False
        self._select: list[tuple[str, bool]] | None = None
        self.feed(body)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "main":
            self._main = True
        if tag == "form" and self._main and (attributes.get("method") or "").lower() == "post":
            self.post_forms.append(attributes.get("action") or "")
        if tag == "select":
            name = attributes.get("name") or ""
            self._select = None if name in self.selects else self.selects.setdefault(name, [])
        if tag == "input" and attributes.get("name"):
            self.inputs.setdefault(attributes["name"], attributes.get("value") or "")
        if tag == "option" and self._select is not None:
            self._select.append((attributes.get("value") or "", "selected" in attributes))
        if tag in _VOID:
            return
        if self._inside:
            self._inside += 1
        elif self.testid and attributes.get("data-testid") == self.testid:
            self._inside, self._parts = 1, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._main = False
        if tag == "select":
            self._select = None
        if self._inside and tag not in _VOID:
            self._inside -= 1
            if not self._inside:
                self.texts.append(" ".join("".join(self._parts).split()))

    def handle_data(self, data: str) -> None:
        if self._inside:
            self._parts.append(data)


def texts(body: str, testid: str) -> list[str]:
    """The text of each element with data-testid=`testid`, its spaces folded."""
    return _Page(body, testid).texts


def post_forms(body: str) -> list[str]:
    """The actions of the forms that post from the page's content (not its top bar)."""
    return _Page(body).post_forms


def options(body: str, name: str) -> list[tuple[str, bool]]:
    """(value, selected) of each option of the page's first select named `name`."""
    return _Page(body).selects.get(name, [])


def inputs(body: str) -> dict[str, str]:
    """The value of the page's first input of each name."""
    return _Page(body).inputs
