-- insert version: one row of core_rollup_versions per publication.
insert into core_rollup_versions (
    version_id, level, year, quarter, published_at, submission_count, expected_count, covered_count,
    previous_version_id, note, flow_run_id, based_on_version_id
)
values ($version_id, $level, $year, $quarter, now(), $covered_count, $expected_count, $covered_count,
        $previous_version_id, $note, $flow_run_id, $basis)
