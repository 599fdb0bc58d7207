"""Query evaluation in processes that can be killed: the service that loads the store and forks the
evaluators (:mod:`~server.evaluators.service`), what the HTTP workers use to reach them
(:mod:`~server.evaluators.client`), the messages in between (:mod:`~server.evaluators.wire`) and what each
process does to itself to be safe to kill and unable to reach the network (:mod:`~server.evaluators.sandbox`).
"""
