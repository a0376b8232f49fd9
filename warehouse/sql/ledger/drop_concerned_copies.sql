-- grain: none; the dry run's temporary copies of the ledger are dropped, so its own names read the ledger again
drop table if exists temp.main.core_submissions;
drop table if exists temp.main.core_files;
