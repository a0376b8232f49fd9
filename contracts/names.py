"""Names of state bodies compared as people type them: the name on a form against the names of the registry.

A commissioner writes the body's name by hand, in Kazakh or Russian, often with the legal form in front
(ГУ «...», РГУ, КГУ, «... мемлекеттік мекемесі»), in quotes of any kind, in capitals, with Kazakh letters typed as
their Russian look-alikes (ә as а, қ as к) on a Russian keyboard, or a Latin letter slipped into a Cyrillic word.
None of that makes it another body's name, so a name is compared in a normal form that leaves all of it out.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

# Kazakh letters and ё as the Russian letters a Russian keyboard types for them.
_KAZAKH_FOLD = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
                              "і": "и", "ё": "е"})
# Latin letters that look like Cyrillic ones, replaced in words that are otherwise Cyrillic.
_LATIN_LOOKALIKES = str.maketrans("aeopcxykmthb", "аеорсхукмтнв")
_CYRILLIC = re.compile("[а-я]")
_LATIN = re.compile("[a-z]")
_NOT_WORD = re.compile(r"[^0-9a-zа-я]+")
# Legal forms, written out or abbreviated (after folding): they say what kind of entity a body is, not which one.
_LEGAL_FORMS = re.compile(
    r"\b(?:(?:республиканское|коммунальное)\s+)?государственное\s+учреждение\b"
    r"|\b(?:(?:республикалык|коммуналдык)\s+)?мемлекеттик\s+мекеме(?:си)?\b"
    r"|\b(?:ргу|кгу|гу|рмм|кмм|мм|гкп|ргп|кгп|гккп)\b")
# Words that name no body in particular: a form with only these says nothing about which body it is.
_GENERIC = frozenset({"орган", "органы"})
_NEAR = 0.8  # how alike two words must be (difflib's ratio) to be one word typed two ways


@lru_cache(maxsize=65536)
def normal_name(name: str | None) -> str:
    """The name as compared: lower case, Kazakh letters folded, no legal form, quotes or punctuation, single spaces."""
    if not isinstance(name, str):
        return ""
    text = name.casefold().translate(_KAZAKH_FOLD)
    words = _NOT_WORD.sub(" ", text).split()
    words = [w.translate(_LATIN_LOOKALIKES) if _LATIN.search(w) and _CYRILLIC.search(w) else w for w in words]
    return " ".join(_LEGAL_FORMS.sub(" ", " ".join(words)).split())


def telling_words(normal: str) -> list[str]:
    """The words of a normal name that tell one body from another: numbers, and words of three letters or more."""
    return [w for w in normal.split() if (w.isdigit() or len(w) >= 3) and w not in _GENERIC]


def resembles(normal: str, words: set[str]) -> bool | None:
    """Whether a normal name could be a way of writing one of the names whose words are given.

    Every telling word of the name must be a word of those names, or that word typed or declined otherwise (the same
    first five letters, 'акима' for 'аким', or nearly the same letters, 'апарат' for 'аппарат'); a number must be the
    same number. None when the name has no telling word at all ('Орган', 'A'): it says nothing either way.
    """
    telling = telling_words(normal)
    if not telling:
        return None
    return all(w in words or (not w.isdigit() and any(_near(w, o) for o in words)) for w in telling)


def _near(a: str, b: str) -> bool:
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    if common >= 5 or (common == shorter and shorter >= 4):
        return True
    matcher = SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() >= _NEAR and matcher.quick_ratio() >= _NEAR and matcher.ratio() >= _NEAR
