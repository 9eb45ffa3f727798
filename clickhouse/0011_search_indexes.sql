-- 0011_search_indexes: full-text search of the inbox (`q`, CONTRACT §12) over message texts
-- and negative reasons, with ClickHouse's text index (an inverted index per part). Words match
-- whole, case- and accent-insensitively: the indexed expression is the text lowercased without
-- diacritics, split on every ASCII character that is not a letter or digit. Queries must use
-- the same expression (conversation-search.repo.ts) for the index to apply; without it they
-- still answer the same, only slower. Existing parts are indexed by the MATERIALIZE mutations.
ALTER TABLE events ADD INDEX IF NOT EXISTS text_search lowerUTF8(removeDiacriticsUTF8(text)) TYPE text(tokenizer = splitByNonAlpha);
ALTER TABLE events MATERIALIZE INDEX text_search;
ALTER TABLE conversations ADD INDEX IF NOT EXISTS reason_search lowerUTF8(removeDiacriticsUTF8(ifNull(negative_reason, ''))) TYPE text(tokenizer = splitByNonAlpha);
ALTER TABLE conversations MATERIALIZE INDEX reason_search;
