"""The background worker: leased feed claims and the loop that runs every stage."""
