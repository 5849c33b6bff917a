"""A local simulator of the Cisco Webex Wholesale Provisioning API (customers, subscribers, sub-partners).

It speaks the official OpenAPI contract shipped in ``spec/`` over real HTTP so the pipeline, its tests and the
demo never need a Webex account. Start it with ``wholesale-sim`` (see ``cli``) or in-process with
``wholesale_sim.testing.running_simulator``.
"""
