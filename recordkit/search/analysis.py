"""Text analysis for Chinese full-text search: unigrams and bigrams, as Lucene's CJKAnalyzer.

Chinese has no spaces between words, so a word index needs a dictionary and misses names
it has never seen (a complainant's name). Indexing every character and every pair of
adjacent characters instead finds any string: a one-character query is a unigram term, a
two-character query (a surname and given name, 退款) one bigram term, and a longer one
the AND of its bigrams. Latin letters and digits are handled the same way (lowercased),
so parts of a case number are found too; whole case numbers and 档号 are also keyword
fields that match exactly.
"""

from __future__ import annotations

import tantivy

ANALYZER_NAME = "cjk_bigram"


def analyzer() -> tantivy.TextAnalyzer:
    """The index-time analyzer: every 1- and 2-character gram, lowercased."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, 2))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


def query_words(text: str) -> list[str]:
    """The words of a query box: split on white space (every word must match)."""
    return [w for w in text.split() if w]


def grams(word: str) -> list[str]:
    """The index terms one word must all match: itself if one character, else its bigrams."""
    word = word.lower()
    if len(word) == 1:
        return [word]
    seen: dict[str, None] = {}  # ordered and without repeats (哈哈哈 is one term)
    for i in range(len(word) - 1):
        seen.setdefault(word[i : i + 2])
    return list(seen)
