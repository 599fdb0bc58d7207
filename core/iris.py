"""The base IRI the ontology, the shapes and the query files are written against.

Declared once, in the lowest layer, because the build, the server and the query catalogue all rebase
those files from it onto the base a graph is built under.
"""

DEFAULT_BASE_IRI = "https://w3id.org/morocco-digital-kg/"
