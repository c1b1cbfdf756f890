"""Ways to run the application: long polling, webhook, the local chat, and the health check."""
