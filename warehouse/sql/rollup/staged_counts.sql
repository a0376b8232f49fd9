-- staged counts: one row: bodies expected in staged_tree, those with a report summed, and the top-tier bodies.
select
    (select count(*) from staged_tree) as expected_count,
    (select count(*) from staged_inputs) as covered_count,
    (select count(*) from staged_tree where depth = 0) as top_body_count
