"""The ``kg`` command: the composition root above the build (:mod:`graph`) and the server (:mod:`server`),
both of which stand on the query core and the one settings declaration (:mod:`core`)."""
