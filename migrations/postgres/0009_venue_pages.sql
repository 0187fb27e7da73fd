-- Venues' public pages (issue 17): each venue is at /v/{slug}, a short readable name unique
-- among venues, made from its name when the registry gives it one (`registry::venues`).
-- Venues from before this have none until the registry next opens and fills them in.
ALTER TABLE venues ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX venues_slug ON venues (slug);
