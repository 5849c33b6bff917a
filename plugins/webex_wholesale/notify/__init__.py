"""Telling people: notifiers on Airflow's notifier interface, one per channel, each on when its connection exists.

Email goes through the SMTP provider's ``SmtpNotifier`` (:mod:`.channels`), a Webex space through
:class:`~webex_wholesale.notify.webex_space.WebexSpaceNotifier`; :func:`~webex_wholesale.notify.deliver.deliver`
hands one event to every configured channel, retrying, and never raises.
"""
