-- Persons without a passenger reference are matched within their flight by name: without this
-- index the planner took the surname index and walked every namesake of every flight.
CREATE INDEX manifest_flight_surname ON manifest(flight_id, surname);
