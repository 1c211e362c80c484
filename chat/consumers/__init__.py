"""Websocket consumers of the chat app: chat (one conversation) and notifications (a user's live notifications)."""
