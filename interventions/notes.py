"""Finding a staff note by a word without keeping its words readable in the database.

A note is encrypted with the rest of its timeline line (CaseEvent.payload). Beside it, the line
keeps a blind index of the note's words: the set of keyed HMACs (accounts.crypto.blind_tokens,
under SHOUHU_INDEX_KEY) of every pair of characters next to each other in the note, read as the
scanner reads text (interventions.scanner.normalise: full-width as ASCII, traditional characters as
simplified, lower case, spaces and punctuation gone). A word typed in the search box is cut into
pairs and hashed the same way, and a note is found when it holds every pair of the word: 未接通 is
未接 and 接通. Chinese words are mostly two characters; a word of three or more may also find a
note that holds its pairs apart (未接 in one sentence, 接通 in another), which only ever adds a
case to the results, never hides one.

One character is not looked for: its pair would be itself and nothing else, and a single
character, in half the notes, would find half the cases (the title search does not look for one
either). What the index shows to whoever reads the database without the key, and why that is
acceptable, is in docs/security.md.
"""

from accounts.crypto import blind_tokens

from .scanner.normalise import normalise

# Names what the tokens are in their HMAC (accounts.crypto): a note's pair "13" and anything else
# indexed under the same key never give the same token.
KIND = "note-pair"


def pairs(text: str) -> set[str]:
    """Every two characters next to each other in the normalised text."""
    normalised = normalise(text)
    return {normalised[start : start + 2] for start in range(len(normalised) - 1)}


def note_tokens(text: str) -> list[int]:
    """The tokens of the pairs of `text`, each once: for a note, the blind index it keeps of its
    words; for a word typed, what a note must hold to hold it. [] for fewer than two characters
    once normalised (a note so short is found by no word; a word so short is not looked for)."""
    return blind_tokens(KIND, pairs(text))
