-- litwatch schema 14: which process is running a run, so that a run left 'running' by a process
-- that died (kill -9, a power cut) is marked 'interrupted' the next time the store is opened, while
-- a run of another live process sharing the store is left alone (store.db.Store._mark_interrupted).
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host TEXT;
ALTER TABLE runs ADD COLUMN process_started TEXT;  -- the process's own start time: a reused pid is another process
