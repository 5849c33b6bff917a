"""The HTTP routes, one module per resource; ``app.create_app`` mounts them."""
