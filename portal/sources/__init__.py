"""Officer and admin pages for data sources, discovery and fulfilment actions."""
