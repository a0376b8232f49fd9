-- days_late(received_at, deadline_at): whole days a report arrived after its deadline, a started day counting as one
-- (the deadline is the end of the due day, so a report of the next day is 1 day late); 0 when on time; NULL when
-- the deadline is unknown. Counted on the instants, so the answer does not depend on the reader's time zone.
create or replace macro days_late(received_at, deadline_at) as
    case
        when deadline_at is null or received_at is null then null
        when received_at <= deadline_at then 0
        else ((epoch_us(received_at) - epoch_us(deadline_at) - 1) // 86400000000 + 1)::integer
    end
