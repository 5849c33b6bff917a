"""After day one: change a customer to what an order says, or offboard it, with a plan a person approves.

The glue of ``webex_wholesale_change`` and ``webex_wholesale_offboarding`` (on the onboarding's floor): the trigger
forms, the TaskFlow bodies that are not API operations, the approval, and the run's report.
"""
