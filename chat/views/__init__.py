"""Chat and notifications pages (templates), one module per area: conversations (the Messages pages and their
no-JS forms) and notifications (the list, its moves and the preferences). Live updates are static/js/chat.js and
static/js/notifications.js over the websockets and the REST API; every page reads and sends without them."""
