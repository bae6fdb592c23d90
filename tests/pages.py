"""Reading a page in a test that pins its queries: a query count means nothing for a page that did not
render (a 404 runs few queries), so every pin also checks the answer and something the page shows."""


def shown(response, *texts: str) -> str:
    """The page's text, once it answered 200 and shows each of `texts`."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    missing = [text for text in texts if text not in body]
    assert not missing, f"the page does not show {missing}"
    return body
