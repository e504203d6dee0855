"""The failure semantics of SPEC §2: one engine, one component resolver, many-failure closures."""
