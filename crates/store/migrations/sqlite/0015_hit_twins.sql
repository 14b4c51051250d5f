-- A PNR traveller linked to an API person is the same person: finding the PNR hit that repeats
-- an API hit (its "twin") goes from the booking's traveller to the link.
CREATE INDEX links_traveller ON links(locator, traveller);
