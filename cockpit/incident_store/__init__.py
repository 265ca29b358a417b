"""The incident log's storage: one behaviour, two backends.

``operations`` holds every read and write once, as steps of SQL that a
backend's driver runs in one transaction (``sqlite`` for a file shared on
one host, ``postgres`` for a team on many hosts). ``migrations`` versions
both schemas; ``write_queue`` keeps the writes a down database could not
take, on disk, until it is back. No Textual import.
"""
