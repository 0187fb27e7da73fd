-- A manufacturer's own filing (issue 16, second part): units registered one at a time or from
-- CSV, and recalls issued and closed by the maker.
-- * A recall says what is wrong with the units (`defect`, free text), the danger it brings
--   (`hazard`, a word of the vocabulary) and what fixes it (`remedy`, likewise). Recalls the
--   demo seed wrote have no defect text.
-- * Units: no new table; a unit is a robot row and its `produced` and `registered` entries.
ALTER TABLE recalls ADD COLUMN defect TEXT;
