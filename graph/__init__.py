"""Build the Morocco digital-policy knowledge graph from the ontology and the seeds.

The build is a pure function (``graph.build.build_dataset``) from files to an rdflib
Dataset; writing it to disk (``graph.build.write_build``) is a separate, atomic step so
that a failed build never replaces the last good one.
"""
