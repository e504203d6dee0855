"""How bytes leave depgraph: escaping per output channel (:mod:`.escape`), the one JSON layout
(:mod:`.jsontext`) and atomic writes that stay inside their folder (:mod:`.atomic`). Reporters,
exporters, the gate, importers and the command line all write through here."""
