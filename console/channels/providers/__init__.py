"""The messaging providers the gateway talks to (issue 12): LINE, Twilio SMS and Messenger.

``signatures`` checks that a webhook came from the provider, ``inbound`` turns
its body into ``console.domain.messaging`` values, and ``line``, ``twilio`` and
``messenger`` are the clients that send replies and fetch media. Nothing here
touches the database.
"""
