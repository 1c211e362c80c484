"""Every write of the chat app, one module per area: conversations (opening them, agents joining), messages
(sending, system and offer messages, read receipts, the pushes after commit), presence (open sockets and who is
online) and notifications (the one notification service every domain calls)."""
