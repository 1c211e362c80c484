"""Reads of the chat app, one module per area: conversations (and their messages, unread counts, presence) and
notifications."""
