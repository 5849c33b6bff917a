"""The state database: the order queue, the record of onboarding runs, and the durable audit trail."""
