"""Read models: what a page shows, as plain query functions over a session returning
dataclasses. The web edge only renders them; the queries are written (and eager-loaded)
once here, so a page's query count does not grow with what it lists."""
