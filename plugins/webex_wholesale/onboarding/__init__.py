"""The onboarding job as a whole: fan-out planning, the audit report and the DAG's small tasks.

Operators each know one step; this package knows how the steps add up to one customer's onboarding.
"""
