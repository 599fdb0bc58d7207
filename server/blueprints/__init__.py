"""HTTP views, one blueprint per responsibility: the SPARQL endpoint, dataset metadata, dumps."""
