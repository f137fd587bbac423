-- The staff inbox is read a page at a time in the order of the events' start (then id), walked
-- from a cursor: this index makes a page cost the same however many requests there are.
CREATE INDEX requests_by_start ON requests (starts_at, id);
-- The inbox counts leave out requests tied to a confidential item the reader may not see: found
-- through the few confidential items instead of a scan of every request. The second index also
-- serves the foreign key from requests to agenda items.
CREATE INDEX agenda_confidential ON agenda_items (id) WHERE visibility = 'confidential';
CREATE INDEX requests_by_agenda_item ON requests (agenda_item_id);
-- Agenda reads by date range (public agenda, conflict checks on every agenda write): no item lasts
-- longer than two weeks, so the range is found through its start, not by a scan of all years.
CREATE INDEX agenda_by_start ON agenda_items (starts_at);
