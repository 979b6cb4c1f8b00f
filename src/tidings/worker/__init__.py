"""The background worker: the stage table (``stages``), leased feed claims (``claims``) and
the loop that runs the stages (``loop``)."""
