"""Dashboard views, one module per page group; each view is wrapped in `roles.staff_required`."""
