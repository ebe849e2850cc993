"""Text normalisation for the crisis screen.

NFKC, lowercase, zero-width characters and emoji removed, leetspeak undone only inside tokens
that mix letters with digits/symbols ("k!ll", "mys3lf", but not "3am" or "5mg"), 3+ repeated
letters cut to 2, contractions/slang/algospeak expanded from data/safety/patterns.yml, and
whitespace collapsed. Sentence punctuation (. , ; ! ?) is kept for clause splitting.
"""

from __future__ import annotations

import re
import unicodedata

from bot.safety.patterns import Normalization, load_patterns

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "＇": "'"})
# categories removed outright (format chars such as zero-width joiners, private use, unassigned)
_DROP = {"Cf", "Co", "Cn", "Cs", "Mn", "Me"}
# symbol categories (emoji, dingbats, modifiers) become a space
_SPACE = {"So", "Sk"}
_REPEATS = re.compile(r"([a-z])\1{2,}")
_EDGE = ".,;:?!\"'()[]{}<>*_~-"
_LETTER = re.compile(r"[a-z]")
_OTHER = re.compile(r"[^a-z0-9.,;!?'\s]+")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def _strip_chars(text: str) -> str:
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat in _DROP:
            continue
        if cat in _SPACE:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _unleet_token(token: str, table: Normalization) -> str:
    start, end = 0, len(token)
    while start < end and token[start] in _EDGE:
        start += 1
    while end > start and token[end - 1] in _EDGE:
        end -= 1
    core = token[start:end]
    if not core or not _LETTER.search(core):
        return token
    if not any(ch in table.leet for ch in core) or table.leet_keep.match(core):
        return token
    mapped = "".join(table.leet.get(ch, ch) for ch in core)
    return token[:start] + mapped + token[end:]


def unleet(text: str, table: Normalization) -> str:
    keys = table.leet
    if not any(ch in keys for ch in text):
        return text
    return " ".join(_unleet_token(tok, table) for tok in text.split(" "))


def normalize(text: str) -> str:
    """The canonical form every crisis pattern is written against."""
    table = load_patterns().normalization
    text = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).lower()
    text = _strip_chars(text)
    text = _SPACES.sub(" ", text)
    for regex, repl in table.pre_leet:
        text = regex.sub(repl, text)
    text = unleet(text, table)
    text = _REPEATS.sub(r"\1\1", text)
    text = table.substitute(text)
    text = _OTHER.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    text = _SPACES.sub(" ", text)
    return text.strip()
