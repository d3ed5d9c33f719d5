"""lapor-gateway: one GraphQL graph over SP4N-LAPOR! complaint sources."""
