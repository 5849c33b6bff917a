"""The order queue's front end: reading order files and the ``wholesale-queue`` command."""
