-- 0009_state_archive_horizon: a message's thumb or a conversation's rating may change months
-- after its previous change (a shopper comes back); the change must retract what was counted,
-- so its state must still be found. 45 days after archiving (0008) let a later flip count as a
-- new thumb beside the old one (issue 22). State is now kept ten years after it last changed:
-- longer than the aggregates it retracts are kept, so within their life every change is exact.
ALTER TABLE state_archive MODIFY TTL archived_at + INTERVAL 10 YEAR;
