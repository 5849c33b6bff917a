"""The scheduled health and drift check: what Webex holds for each watched customer, compared with what it should.

:mod:`.checks` turns what was read into findings (pure), :mod:`.reader` reads each customer through the shared API
budget, :mod:`.run` is the DAG's work: check everything, keep the findings, tell people what is new or resolved.
"""
